from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.fields import Domain
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

# what a customer may open on the portal (all case types)
PORTAL_CASE_TYPES = ("complaint", "warranty_claim", "service_request", "question")


class ServiceCasePortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "service_case_count" in counters:
            Case = request.env["crm.service.case"]
            values["service_case_count"] = (
                Case.search_count(self._service_case_domain()) if Case.has_access("read") else 0
            )
        return values

    def _service_case_domain(self):
        commercial = request.env.user.partner_id.commercial_partner_id
        return Domain("commercial_partner_id", "=", commercial.id)

    def _service_case_owned(self):
        """The customer's warranty contracts and the products they bought (as superuser,
        limited to the customer's own documents)."""
        commercial = request.env.user.partner_id.commercial_partner_id
        contracts = (
            request.env["crm.warranty.contract"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", commercial.id),
                    ("state", "in", ("active", "expired", "renewed")),
                ],
                order="date_end desc, id desc",
            )
        )
        lines = (
            request.env["sale.order.line"]
            .sudo()
            ._read_group(
                [
                    ("order_id.partner_id", "child_of", commercial.id),
                    ("state", "=", "sale"),
                    ("product_id", "!=", False),
                    ("display_type", "=", False),
                ],
                ["product_id"],
            )
        )
        products = contracts.product_id | request.env["product.product"].sudo().union(
            *(product for (product,) in lines)
        )
        return contracts, products

    @http.route(["/my/cases", "/my/cases/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_service_cases(self, page=1, **kwargs):
        Case = request.env["crm.service.case"]
        domain = self._service_case_domain()
        values = self._prepare_portal_layout_values()
        pager = portal_pager(
            url="/my/cases",
            total=Case.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        cases = Case.search(
            domain,
            order="date_open desc, id desc",
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        request.session["my_service_cases_history"] = cases.ids[:100]
        values.update(
            {
                "cases": cases.sudo(),
                "page_name": "service_case",
                "pager": pager,
                "default_url": "/my/cases",
            }
        )
        return request.render("crm_extended.portal_my_service_cases", values)

    @http.route(["/my/cases/<int:case_id>"], type="http", auth="public", website=True)
    def portal_service_case_page(self, case_id, access_token=None, **kwargs):
        try:
            case_sudo = self._document_check_access("crm.service.case", case_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(
            case_sudo,
            access_token,
            {"case": case_sudo, "page_name": "service_case"},
            "my_service_cases_history",
            False,
            **kwargs,
        )
        return request.render("crm_extended.portal_service_case_page", values)

    @http.route(["/my/cases/new"], type="http", auth="user", website=True, methods=["GET", "POST"])
    def portal_service_case_new(self, **post):
        contracts, products = self._service_case_owned()
        values = self._prepare_portal_layout_values()
        values.update(
            {"contracts": contracts, "products": products, "page_name": "service_case", "error": ""}
        )
        if request.httprequest.method != "POST":
            return request.render("crm_extended.portal_service_case_new", values)
        case_values, error = self._service_case_values_from_post(post, contracts, products)
        if error:
            values.update(error=error, post=post)
            return request.render("crm_extended.portal_service_case_new", values)
        case = request.env["crm.service.case"].sudo().create(case_values)
        return request.redirect(case.get_portal_url())

    def _service_case_values_from_post(self, post, contracts, products):
        """The new case's values, or an error message for the form."""
        env = request.env
        subject = (post.get("subject") or "").strip()
        if not subject:
            return {}, env._("Describe the problem in a few words.")
        case_type = post.get("case_type") or "service_request"
        if case_type not in PORTAL_CASE_TYPES:
            return {}, env._("Choose the kind of request.")
        contract = env["crm.warranty.contract"]
        product = env["product.product"]
        if post.get("contract_id"):
            contract = contracts.filtered(lambda c: str(c.id) == post["contract_id"])
            if not contract:
                return {}, env._("This warranty contract is not yours.")
            product = contract.product_id
        elif post.get("product_id"):
            product = products.filtered(lambda p: str(p.id) == post["product_id"])
            if not product:
                return {}, env._("You did not buy this product from us.")
        company = contract.company_id or env.user.company_id
        values = {
            "subject": subject[:200],
            "description": post.get("description") or False,
            "case_type": case_type,
            "partner_id": env.user.partner_id.id,
            "company_id": company.id,
            "user_id": False,
            "product_id": product.id or False,
            "serial_number": (post.get("serial_number") or contract.serial_number or "").strip()[
                :200
            ]
            or False,
        }
        if contract:
            values["warranty_contract_id"] = contract.id
        return values, ""
