from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount

CREDIT_APPROVAL_STATES = [
    ("none", "Not Requested"),
    ("requested", "Requested"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]
# Approval fields only credit controllers may set (the request goes through
# action_request_credit_approval, open to salespeople).
CREDIT_APPROVAL_FIELDS = ("credit_approval_amount", "credit_approved_by_id", "credit_approval_date")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    credit_approval_state = fields.Selection(
        CREDIT_APPROVAL_STATES,
        string="Credit Approval",
        compute="_compute_credit_approval_state",
        store=True,
        readonly=False,
        copy=False,
        tracking=True,
        index=True,
        help="Approval by a credit controller of an order blocked by credit control. "
        "Raising the total above the approved amount voids the approval.",
    )
    credit_approval_amount = fields.Monetary(
        string="Approved Amount", copy=False, readonly=True, tracking=True
    )
    credit_approved_by_id = fields.Many2one(
        "res.users", string="Credit Approved By", copy=False, readonly=True
    )
    credit_approval_date = fields.Datetime(string="Credit Approval Date", copy=False, readonly=True)
    credit_block_reason = fields.Char(
        string="Credit Block",
        compute="_compute_credit_block_reason",
        help="Why confirming this order now would be blocked by credit control.",
    )
    credit_warning = fields.Char(
        string="Credit Warning",
        compute="_compute_credit_block_reason",
        help="The order takes the customer above its credit limit, but the company "
        "only warns on the limit.",
    )
    credit_can_approve = fields.Boolean(compute="_compute_credit_can_approve")

    @api.depends("amount_total", "credit_approval_amount")
    def _compute_credit_approval_state(self):
        for order in self:
            state = order.credit_approval_state or "none"
            if state == "approved" and not order._credit_approval_covers():
                # the total went above what was approved: the approval is void
                state = "none"
            order.credit_approval_state = state

    @api.depends_context("uid")
    def _compute_credit_can_approve(self):
        self.credit_can_approve = self.env.user.has_group("crm_extended.group_credit_controller")

    @api.depends(
        "state",
        "partner_invoice_id",
        "company_id",
        "currency_id",
        "amount_total",
        "credit_approval_state",
        "credit_approval_amount",
    )
    def _compute_credit_block_reason(self):
        self.credit_block_reason = False
        self.credit_warning = False
        orders = self.filtered(lambda o: o.id and o.state in ("draft", "sent"))
        for company, company_orders in orders.grouped("company_id").items():
            warnings = {}
            blocked = company_orders._credit_evaluate(company, cumulative=False, warnings=warnings)
            for order, message in blocked.items():
                order.credit_block_reason = message
            for order, message in warnings.items():
                order.credit_warning = message

    def _credit_approval_covers(self):
        """The order is approved for a total at least its current total."""
        self.ensure_one()
        return (
            self.credit_approval_state == "approved"
            and self.currency_id.compare_amounts(self.amount_total, self.credit_approval_amount)
            <= 0
        )

    def _credit_paid_by_transaction(self):
        """The order is already fully paid by done payment transactions."""
        self.ensure_one()
        transactions = self.sudo().transaction_ids.filtered(lambda tx: tx.state == "done")
        paid = sum(
            tx.currency_id._convert(tx.amount, self.currency_id, self.company_id)
            for tx in transactions
        )
        return bool(transactions) and self.currency_id.compare_amounts(paid, self.amount_total) >= 0

    def _credit_evaluate(self, company, cumulative=True, warnings=None):
        """Credit check of orders of ``company``.

        With ``cumulative``, the orders are checked as if confirmed one after
        the other: each one adds to the exposure of the next ones of the same
        customer. Approved (within the approved total) and fully paid orders
        are never blocked, but still add to the exposure.

        :param warnings: optional dict filled with ``{order: message}`` for the
            orders above the limit of a company that only warns on it
        :return: ``{order: message}`` for the orders that would be blocked
        """
        commercial = self.partner_invoice_id.commercial_partner_id
        figures = commercial._credit_get_figures(company)
        running = {pid: values["credit_exposure"] for pid, values in figures.items()}
        company_currency = company.currency_id
        today = fields.Date.context_today(self)
        blocked = {}
        for order in self.sorted("id"):
            partner = order.partner_invoice_id.commercial_partner_id
            values = figures[partner.id]
            amount = order.currency_id._convert(
                order.amount_total, company_currency, company, today
            )
            exposure = running[partner.id]
            limit = values["credit_limit"]
            reason = False
            over_limit = limit and company_currency.compare_amounts(exposure + amount, limit) > 0
            if values["credit_on_hold"]:
                reason = partner._credit_hold_description(values)
            elif over_limit and company.credit_hold_block_on_limit:
                reason = self.env._(
                    "this order (%(amount)s) would take the exposure above the credit limit",
                    amount=format_amount(self.env, amount, company_currency),
                )
            elif over_limit and warnings is not None:
                warnings[order] = self.env._(
                    "%(customer)s: credit exposure %(exposure)s plus this order %(amount)s "
                    "exceeds the credit limit %(limit)s.",
                    customer=partner.display_name,
                    exposure=format_amount(self.env, exposure, company_currency),
                    amount=format_amount(self.env, amount, company_currency),
                    limit=format_amount(self.env, limit, company_currency),
                )
            if reason and not (
                order._credit_approval_covers() or order._credit_paid_by_transaction()
            ):
                blocked[order] = self.env._(
                    "%(customer)s: credit exposure %(exposure)s, credit limit %(limit)s; "
                    "%(reason)s. A credit controller must approve this order.",
                    customer=partner.display_name,
                    exposure=format_amount(self.env, exposure, company_currency),
                    limit=format_amount(self.env, limit, company_currency)
                    if limit
                    else self.env._("none"),
                    reason=reason,
                )
            if cumulative:
                running[partner.id] = exposure + amount
        return blocked

    def _credit_orders_to_check(self, company):
        """The orders of ``company`` whose customer could be blocked at all.

        Customers without a limit nor a manual hold, in a company without the
        overdue rule, can never be blocked: their confirmations need neither
        the guard row nor the exposure.
        """
        if company.credit_hold_overdue_days:
            return self
        partners = self.partner_invoice_id.commercial_partner_id.sudo().with_company(company)
        controlled = partners.filtered(lambda p: p.credit_limit > 0 or p.credit_hold)
        return self.filtered(lambda o: o.partner_invoice_id.commercial_partner_id in controlled)

    def _credit_check_confirmation(self):
        """Refuse to confirm orders blocked by credit control.

        Runs for every caller (sudo, administrators, any context). The guard
        rows are updated first, so that two transactions confirming orders of
        the same customer serialize (see crm.credit.guard).
        """
        orders = self.filtered(lambda o: o.state in ("draft", "sent"))
        messages = []
        for company, company_orders in orders.grouped("company_id").items():
            company_orders = company_orders._credit_orders_to_check(company)
            if not company_orders:
                continue
            partners = company_orders.partner_invoice_id.commercial_partner_id
            self.env["crm.credit.guard"].sudo()._lock(partners.ids, company.id)
            blocked = company_orders._credit_evaluate(company)
            messages += [
                self.env._(
                    "Order %(order)s cannot be confirmed. %(message)s",
                    order=order.name,
                    message=message,
                )
                for order, message in blocked.items()
            ]
        if messages:
            raise UserError("\n".join(messages))

    def action_confirm(self):
        self._credit_check_confirmation()
        return super().action_confirm()

    @api.model
    def _credit_check_approval_write(self, vals):
        """Approving or rejecting belongs to credit controllers, whatever the path."""
        touched = any(name in vals for name in CREDIT_APPROVAL_FIELDS) or vals.get(
            "credit_approval_state"
        ) in ("approved", "rejected")
        if touched and self.env.uid != SUPERUSER_ID:
            self._credit_check_controller()

    @api.model
    def _credit_check_controller(self):
        if not self.env.user.has_group("crm_extended.group_credit_controller"):
            raise AccessError(
                self.env._(
                    "Only credit controllers can approve or reject orders blocked by credit control."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._credit_check_approval_write(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._credit_check_approval_write(vals)
        return super().write(vals)

    def _credit_controllers(self):
        """Users who receive the approval requests of this order's company."""
        self.ensure_one()
        company = self.company_id
        if company.credit_controller_id:
            return company.credit_controller_id
        group = self.env.ref("crm_extended.group_credit_controller")
        return group.sudo().all_user_ids.filtered(
            lambda u: u.active and not u.share and company in u.company_ids
        )

    def _credit_done_activities(self, feedback):
        todo = self.env.ref("mail.mail_activity_data_todo")
        activities = self.sudo().activity_ids.filtered(
            lambda a: a.activity_type_id == todo and a.summary == self._credit_activity_summary()
        )
        if activities:
            activities.action_feedback(feedback=feedback)

    @api.model
    def _credit_activity_summary(self):
        return "Credit approval"

    def action_request_credit_approval(self):
        self.ensure_one()
        if self.state not in ("draft", "sent"):
            raise UserError(self.env._("Only quotations can be submitted for credit approval."))
        if self.credit_approval_state == "requested":
            raise UserError(
                self.env._(
                    "The credit approval of %(order)s is already requested.", order=self.name
                )
            )
        self.check_access("write")
        controllers = self._credit_controllers()
        if not controllers:
            raise UserError(
                self.env._(
                    "No credit controller is set for %(company)s: ask your administrator.",
                    company=self.company_id.name,
                )
            )
        reason = self.credit_block_reason or self.env._("no block at the moment")
        self.credit_approval_state = "requested"
        for user in controllers:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self._credit_activity_summary(),
                note=self.env._(
                    "Please review the credit approval of %(order)s (%(amount)s): %(reason)s",
                    order=self.name,
                    amount=format_amount(self.env, self.amount_total, self.currency_id),
                    reason=reason,
                ),
                user_id=user.id,
            )
        self.message_post(
            body=self.env._(
                "Credit approval requested by %(user)s on %(date)s for %(amount)s: %(reason)s",
                user=self.env.user.name,
                date=fields.Datetime.to_string(fields.Datetime.now()),
                amount=format_amount(self.env, self.amount_total, self.currency_id),
                reason=reason,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_approve_credit(self):
        self.ensure_one()
        self._credit_check_controller()
        if self.state not in ("draft", "sent"):
            raise UserError(self.env._("Only quotations can be approved by credit control."))
        now = fields.Datetime.now()
        # the controller may lack the sales rights to write the order: the
        # group check above is the gate, the write is the logged path
        self.sudo().write(
            {
                "credit_approval_state": "approved",
                "credit_approval_amount": self.amount_total,
                "credit_approved_by_id": self.env.uid,
                "credit_approval_date": now,
            }
        )
        self._credit_done_activities(self.env._("Approved"))
        self.sudo().message_post(
            body=self.env._(
                "Credit approved by %(user)s on %(date)s for %(amount)s.",
                user=self.env.user.name,
                date=fields.Datetime.to_string(now),
                amount=format_amount(self.env, self.amount_total, self.currency_id),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_reject_credit(self):
        self.ensure_one()
        self._credit_check_controller()
        if self.state not in ("draft", "sent"):
            raise UserError(self.env._("Only quotations can be rejected by credit control."))
        now = fields.Datetime.now()
        self.sudo().write(
            {
                "credit_approval_state": "rejected",
                "credit_approval_amount": 0.0,
                "credit_approved_by_id": self.env.uid,
                "credit_approval_date": now,
            }
        )
        self._credit_done_activities(self.env._("Rejected"))
        self.sudo().message_post(
            body=self.env._(
                "Credit rejected by %(user)s on %(date)s for %(amount)s.",
                user=self.env.user.name,
                date=fields.Datetime.to_string(now),
                amount=format_amount(self.env, self.amount_total, self.currency_id),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True
