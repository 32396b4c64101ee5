import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain
from odoo.tools import email_normalize

from ..tools.field_access import check_search
from ..tools.text_limits import NAME_MAX_LENGTH, check_text_lengths
from .res_partner_credit import CREDIT_READ_GROUPS

_logger = logging.getLogger(__name__)

OPEN_STATES = ("new", "in_progress", "waiting")
DONE_STATES = ("resolved", "closed", "cancelled")
PRIORITIES = [("0", "Low"), ("1", "Normal"), ("2", "High"), ("3", "Urgent")]
# a case is at risk once this share of its response time has gone by
AT_RISK_SHARE = 0.75
# claims that can be repaired for a fee when the warranty does not cover them
REPAIRABLE_TYPES = ("warranty_claim", "service_request")
TEXT_LIMITS = {"name": NAME_MAX_LENGTH, "serial_number": NAME_MAX_LENGTH}


class CrmServiceCase(models.Model):
    _name = "crm.service.case"
    _description = "After-sales Case"
    _inherit = [
        "portal.mixin",
        "rating.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "crm.extended.input.guard",
    ]
    _order = "priority desc, date_deadline, id desc"
    _check_company_auto = True
    _mail_post_access = "read"
    # the agent finds the caller's case by any reference the caller gives
    _rec_names_search = [
        "name",
        "subject",
        "serial_number",
        "warranty_contract_id.name",
        "warranty_contract_id.serial_number",
        "sale_order_id.name",
        "partner_id.complete_name",
    ]

    # ------------------------------------------------------------------ fields
    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        index="trigram",
        default=lambda self: self.env._("New"),
    )
    subject = fields.Char(required=True, tracking=True)
    description = fields.Html()
    case_type = fields.Selection(
        [
            ("complaint", "Complaint"),
            ("warranty_claim", "Warranty Claim"),
            ("service_request", "Service Request"),
            ("question", "Question"),
        ],
        string="Type",
        required=True,
        default="service_request",
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Customer Entity"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Assigned To",
        tracking=True,
        index="btree_not_null",
        default=lambda self: self.env.user,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    sale_order_id = fields.Many2one(
        "sale.order",
        string="Sales Order",
        index="btree_not_null",
        check_company=True,
        domain="[('partner_id', 'child_of', commercial_partner_id)]",
    )
    product_id = fields.Many2one(
        "product.product", string="Product", tracking=True, check_company=True
    )
    serial_number = fields.Char(tracking=True)
    warranty_contract_id = fields.Many2one(
        "crm.warranty.contract",
        string="Warranty Contract",
        compute="_compute_warranty_contract_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        check_company=True,
        tracking=True,
        help="Found from the customer and product, or the serial number, when not given.",
    )
    coverage = fields.Selection(
        [
            ("covered", "Covered"),
            ("expired", "Expired"),
            ("not_covered", "Not Covered"),
            ("no_contract", "No Contract"),
        ],
        compute="_compute_coverage",
        store=True,
        precompute=True,
    )
    priority = fields.Selection(PRIORITIES, default="1", required=True, tracking=True)
    date_open = fields.Datetime(
        string="Opened On", required=True, readonly=True, default=fields.Datetime.now
    )
    date_deadline = fields.Datetime(
        string="Response Deadline",
        compute="_compute_sla_dates",
        store=True,
        precompute=True,
        index=True,
    )
    date_at_risk = fields.Datetime(
        compute="_compute_sla_dates",
        store=True,
        precompute=True,
        help="From this time on, the case is at risk of missing its deadline.",
    )
    sla_state = fields.Selection(
        [("on_time", "On Time"), ("at_risk", "At Risk"), ("breached", "Breached")],
        string="Response Time",
        compute="_compute_sla_state",
        store=True,
        precompute=True,
        index=True,
    )
    sla_reminded = fields.Boolean(
        readonly=True, copy=False, help="The assignee was reminded of the deadline."
    )
    state = fields.Selection(
        [
            ("new", "New"),
            ("in_progress", "In Progress"),
            ("waiting", "Waiting for Customer"),
            ("resolved", "Resolved"),
            ("closed", "Closed"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="new",
        copy=False,
        index=True,
        tracking=True,
    )
    resolution = fields.Selection(
        [
            ("repaired", "Repaired"),
            ("replaced", "Replaced"),
            ("refunded", "Refunded"),
            ("advice", "Advice"),
            ("rejected", "Rejected"),
        ],
        tracking=True,
        copy=False,
    )
    resolution_note = fields.Text(copy=False)
    date_resolved = fields.Datetime(readonly=True, copy=False)
    resolve_hours = fields.Float(
        string="Hours to Resolve",
        compute="_compute_resolve_hours",
        store=True,
        aggregator="avg",
    )
    quotation_id = fields.Many2one(
        "sale.order",
        string="Repair Quotation",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
    )
    is_open = fields.Boolean(compute="_compute_is_open", store=True)
    # what the agent needs to know about the caller (read from the customer record)
    customer_credit_status = fields.Selection(
        related="commercial_partner_id.credit_status",
        string="Credit Status",
        groups=CREDIT_READ_GROUPS,
    )
    customer_warranty_ids = fields.Many2many(
        "crm.warranty.contract",
        compute="_compute_customer_documents",
        string="Customer Warranties",
    )
    customer_order_ids = fields.Many2many(
        "sale.order", compute="_compute_customer_documents", string="Last Orders"
    )

    _open_deadline_idx = models.Index("(sla_state, date_at_risk) WHERE is_open")

    # ---------------------------------------------------------------- computes
    @api.depends("partner_id", "product_id", "serial_number", "company_id")
    def _compute_warranty_contract_id(self):
        for case in self:
            case.warranty_contract_id = case._find_warranty_contract()

    def _find_warranty_contract(self):
        """The customer's contract for this serial number, else for this product.

        One query per criterion whatever the number of contracts (the serial
        number first, then the product), the active contract first, then the
        latest to end. Searched as superuser within the case's company: the
        agent must see the coverage of a contract someone else follows.
        """
        self.ensure_one()
        Contract = self.env["crm.warranty.contract"]
        serial = (self.serial_number or "").strip()
        if not self.partner_id or not (self.product_id or serial):
            return Contract
        company = self.company_id or self.env.company
        customer = (
            Domain("company_id", "=", company.id)
            & Domain(
                "partner_id.commercial_partner_id", "=", self.partner_id.commercial_partner_id.id
            )
            & Domain("state", "!=", "cancelled")
        )
        criteria = []
        if serial:
            criteria.append(Domain("serial_number", "=", serial))
        if self.product_id:
            criteria.append(Domain("product_id", "=", self.product_id.id))
        state_rank = {"active": 0, "expired": 1, "renewed": 1}
        for criterion in criteria:
            contracts = Contract.sudo().search_fetch(
                customer & criterion,
                # what the ranking, the coverage and the tracking read: no second query
                ["name", "serial_number", "product_id", "state", "date_start", "date_end"],
                order="date_end desc, id desc",
                limit=10,
            )
            if contracts:
                best = contracts.sorted(lambda contract: state_rank.get(contract.state, 2))
                return best[:1].sudo(False)
        return Contract

    @api.depends(
        "warranty_contract_id.state",
        "warranty_contract_id.date_start",
        "warranty_contract_id.date_end",
        "date_open",
    )
    def _compute_coverage(self):
        for case in self:
            contract = case.warranty_contract_id.sudo()
            day = (case.date_open or fields.Datetime.now()).date()
            if not contract:
                case.coverage = "no_contract"
            elif contract.state in ("draft", "cancelled") or contract.date_start > day:
                case.coverage = "not_covered"
            elif contract.state in ("expired", "renewed") or contract.date_end < day:
                case.coverage = "expired"
            else:
                case.coverage = "covered"

    @api.depends(
        "priority",
        "date_open",
        "company_id.service_response_hours_0",
        "company_id.service_response_hours_1",
        "company_id.service_response_hours_2",
        "company_id.service_response_hours_3",
    )
    def _compute_sla_dates(self):
        for case in self:
            company = case.company_id or self.env.company
            hours = company[f"service_response_hours_{case.priority or '0'}"]
            opened = case.date_open or fields.Datetime.now()
            if hours > 0:
                case.date_deadline = opened + timedelta(hours=hours)
                case.date_at_risk = opened + timedelta(hours=hours * AT_RISK_SHARE)
            else:
                case.date_deadline = case.date_at_risk = False

    @api.depends("date_deadline", "date_at_risk", "date_resolved", "state")
    def _compute_sla_state(self):
        now = fields.Datetime.now()
        for case in self:
            case.sla_state = case._sla_state_at(now)

    def _sla_state_at(self, now):
        self.ensure_one()
        if not self.date_deadline:
            return "on_time"
        if self.state in DONE_STATES:
            end = self.date_resolved or now
            if self.state == "cancelled" and not self.date_resolved:
                return self.sla_state or "on_time"
            return "breached" if end > self.date_deadline else "on_time"
        if now > self.date_deadline:
            return "breached"
        if self.date_at_risk and now >= self.date_at_risk:
            return "at_risk"
        return "on_time"

    @api.depends("state")
    def _compute_is_open(self):
        for case in self:
            case.is_open = case.state in OPEN_STATES

    @api.depends("date_open", "date_resolved")
    def _compute_resolve_hours(self):
        for case in self:
            if case.date_resolved and case.date_open:
                case.resolve_hours = (case.date_resolved - case.date_open).total_seconds() / 3600
            else:
                case.resolve_hours = 0.0

    @api.depends("commercial_partner_id", "company_id")
    @api.depends_context("uid")
    def _compute_customer_documents(self):
        """The customer's warranties and last confirmed orders, as the user may see them."""
        Contract = self.env["crm.warranty.contract"]
        Order = self.env["sale.order"]
        for case in self:
            if not case.commercial_partner_id:
                case.customer_warranty_ids = Contract
                case.customer_order_ids = Order
                continue
            customers = Domain("partner_id", "child_of", case.commercial_partner_id.id)
            company = Domain("company_id", "=", case.company_id.id)
            case.customer_warranty_ids = (
                Contract.search(
                    customers & company & Domain("state", "in", ("active", "expired")), limit=10
                )
                if Contract.has_access("read")
                else Contract
            )
            case.customer_order_ids = (
                Order.search(
                    customers & company & Domain("state", "=", "sale"),
                    order="date_order desc, id desc",
                    limit=5,
                )
                if Order.has_access("read")
                else Order
            )

    def _compute_access_url(self):
        super()._compute_access_url()
        for case in self:
            case.access_url = f"/my/cases/{case.id}"

    # -------------------------------------------------------------------- CRUD
    @api.model_create_multi
    def create(self, vals_list):
        # refused before a reference is taken from the sequence
        self.browse().check_access("create")
        self._input_check(vals_list)
        check_text_lengths(self, vals_list, TEXT_LIMITS)
        default_name = self.env._("New")
        for vals in vals_list:
            if not vals.get("name") or vals["name"] == default_name:
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("crm.service.case")
                    or default_name
                )
        cases = super().create(vals_list)
        for case in cases.filtered("partner_id"):
            case.message_subscribe(partner_ids=case.partner_id.ids)
        return cases

    # Odoo's activity and rating mixins search these fields without checking
    # their `groups`; a portal customer reads their own cases, not the team's
    # to-dos or ratings: the addon's one search check first

    def _search_activity_state(self, operator, value):
        check_search(self, "activity_state", operator, value)
        return super()._search_activity_state(operator, value)

    def _search_my_activity_date_deadline(self, operator, operand):
        check_search(self, "my_activity_date_deadline", operator, operand)
        return super()._search_my_activity_date_deadline(operator, operand)

    def _search_rating_avg(self, operator, value):
        check_search(self, "rating_avg", operator, value)
        return super()._search_rating_avg(operator, value)

    def write(self, vals):
        check_text_lengths(self, [vals], TEXT_LIMITS)
        if "partner_id" in vals and vals["partner_id"]:
            res = super().write(vals)
            self.message_subscribe(partner_ids=[vals["partner_id"]])
            return res
        return super().write(vals)

    # ------------------------------------------------------------ mail gateway
    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """An e-mail to the service alias opens a case for its sender.

        The sender's contact is the author the gateway found; a new contact
        is created from the sender's address otherwise.
        """
        values = dict(custom_values or {})
        partner = self.env["res.partner"].browse(msg_dict.get("author_id")).exists()
        if not partner and email_normalize(
            msg_dict.get("email_from") or msg_dict.get("from") or ""
        ):
            partner = self.env["mail.thread"]._partner_find_from_emails_single(
                [msg_dict.get("email_from") or msg_dict.get("from")], no_create=False
            )
        values.setdefault("subject", msg_dict.get("subject") or self.env._("No Subject"))
        values.setdefault("partner_id", partner.id)
        values.setdefault("case_type", "service_request")
        # the gateway runs as superuser: nobody is assigned until an agent takes it
        values.setdefault("user_id", False)
        if partner:
            # the gateway posts the e-mail on the new case with this author
            msg_dict["author_id"] = partner.id
        return super(CrmServiceCase, self.with_context(default_user_id=False)).message_new(
            msg_dict, custom_values=values
        )

    def _rating_get_parent_field_name(self):
        return False

    def _rating_get_operator(self):
        return self.user_id.partner_id

    # ----------------------------------------------------------------- actions
    def action_start(self):
        self._check_state(OPEN_STATES, self.env._("Only open cases can be started"))
        self.write({"state": "in_progress"})
        return True

    def action_wait(self):
        self._check_state(OPEN_STATES, self.env._("Only open cases can wait for the customer"))
        self.write({"state": "waiting"})
        return True

    def action_resolve(self):
        self._check_state(OPEN_STATES, self.env._("Only open cases can be resolved"))
        missing = self.filtered(lambda case: not case.resolution)
        if missing:
            raise UserError(
                self.env._(
                    "Set a resolution (repaired, replaced, refunded, advice or rejected) "
                    "before resolving %(names)s.",
                    names=", ".join(missing.mapped("name")),
                )
            )
        self.write({"state": "resolved", "date_resolved": fields.Datetime.now()})
        return True

    def action_close(self):
        """Close resolved cases; the customers are asked for a rating when the
        company asks for one."""
        self._check_state(("resolved",), self.env._("Only resolved cases can be closed"))
        self.write({"state": "closed"})
        template = self.env.ref(
            "crm_extended.mail_template_service_case_rating", raise_if_not_found=False
        )
        to_rate = self.filtered(
            lambda case: case.company_id.service_rating_request and case.partner_id.email
        )
        if template:
            for case in to_rate:
                case.rating_send_request(template, lang=case.partner_id.lang, force_send=False)
        return True

    def action_cancel(self):
        self._check_state(OPEN_STATES, self.env._("Only open cases can be cancelled"))
        self.write({"state": "cancelled"})
        return True

    def action_reopen(self):
        self._check_state(
            ("resolved", "closed", "cancelled"), self.env._("Only finished cases can be reopened")
        )
        self.write({"state": "in_progress", "date_resolved": False})
        return True

    def action_create_quotation(self):
        """A paid-repair quotation for a claim the warranty does not cover.

        It is an ordinary quotation: confirming it goes through credit control.
        """
        self.ensure_one()
        if self.coverage == "covered":
            raise UserError(
                self.env._(
                    "Case %(name)s is covered by warranty %(contract)s: the repair is free.",
                    name=self.name,
                    contract=self.warranty_contract_id.sudo().name,
                )
            )
        if self.case_type not in REPAIRABLE_TYPES:
            raise UserError(
                self.env._("Only warranty claims and service requests get a repair quotation.")
            )
        if not self.quotation_id or self.quotation_id.state == "cancel":
            self.quotation_id = self.env["sale.order"].create(self._prepare_quotation_values())
            self.message_post(
                body=self.env._(
                    "Repair quotation %(order)s created.",
                    order=self.quotation_id._get_html_link(),
                )
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.quotation_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def action_view_quotation(self):
        self.ensure_one()
        return self.quotation_id.get_formview_action()

    # -------------------------------------------------------- business logic
    def _check_state(self, allowed, message):
        refused = self.filtered(lambda case: case.state not in allowed)
        if refused:
            raise UserError(
                self.env._(
                    "%(message)s: %(names)s.",
                    message=message,
                    names=", ".join(refused.mapped("name")),
                )
            )

    def _prepare_quotation_values(self):
        self.ensure_one()
        product = self.env.ref("crm_extended.product_service_repair", raise_if_not_found=False)
        description = self.env._(
            "Repair of %(product)s%(serial)s (case %(name)s)",
            product=self.product_id.display_name or self.subject,
            serial=f" [{self.serial_number}]" if self.serial_number else "",
            name=self.name,
        )
        lines = []
        if product and product.active:
            lines.append(Command.create({"product_id": product.id, "name": description}))
        return {
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "user_id": self.user_id.id or self.env.user.id,
            "origin": self.name,
            "order_line": lines,
        }

    # -------------------------------------------------------------------- cron
    @api.model
    def _cron_check_deadlines(self, batch_size=1000):
        """Refresh the response-time state of open cases and remind assignees.

        Set-based: open cases past their deadline become ``breached``, those
        past their at-risk time ``at_risk`` (one UPDATE per batch), then the
        assignees of at-risk or breached cases not reminded yet get one to-do
        each (one batch of activities). A rerun finds nothing and writes
        nothing. Inside the ``ir.cron`` job each batch is committed with
        ``ir.cron._commit_progress``; called directly, it never commits.

        :return: dict with the number of cases set ``at_risk``, ``breached``
            and ``reminded``.
        """
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        cron = self.env["ir.cron"]
        now = fields.Datetime.now()
        open_cases = Domain("state", "in", OPEN_STATES) & Domain("date_deadline", "!=", False)
        steps = [
            (
                open_cases
                & Domain("sla_state", "!=", "breached")
                & Domain("date_deadline", "<", now),
                "breached",
            ),
            (
                open_cases
                & Domain("sla_state", "=", "on_time")
                & Domain("date_at_risk", "<=", now)
                & Domain("date_deadline", ">=", now),
                "at_risk",
            ),
            (
                open_cases
                & Domain("sla_state", "!=", "on_time")
                & Domain("sla_reminded", "=", False),
                "reminded",
            ),
        ]
        result = {"at_risk": 0, "breached": 0, "reminded": 0}
        if in_cron:
            cron._commit_progress(remaining=sum(self.search_count(step[0]) for step in steps))
        for domain, key in steps:
            while batch := self.search(domain, order="id", limit=batch_size):
                if key == "reminded":
                    batch._sla_remind()
                else:
                    batch.with_context(mail_notrack=True).write({"sla_state": key})
                result[key] += len(batch)
                if in_cron and not cron._commit_progress(len(batch)):
                    return result  # time slice spent: the cron calls again
        if in_cron:
            cron._commit_progress(remaining=0)
        return result

    def _sla_remind(self):
        if not self:
            return
        activity_type = self.env.ref("crm_extended.mail_activity_type_service_case_deadline")
        model_id = self.env["ir.model"]._get_id(self._name)
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": case.id,
                    "activity_type_id": activity_type.id,
                    "automated": True,
                    "date_deadline": fields.Date.context_today(self),
                    "summary": self.env._("Answer case %(name)s", name=case.name),
                    "user_id": case.user_id.id,
                }
                for case in self
            ]
        )
        self.write({"sla_reminded": True})
