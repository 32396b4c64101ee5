from contextlib import contextmanager

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount

from .crm_credit_invariant import ORDER_KEYS
from .res_partner_credit import CREDIT_READ_GROUPS

CREDIT_APPROVAL_STATES = [
    ("none", "Not Requested"),
    ("requested", "Requested"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]
# Approval fields only the credit controllers' actions set: the values they
# hold bind the approval to one customer, company, currency and total.
CREDIT_APPROVAL_FIELDS = (
    "credit_approval_amount",
    "credit_approved_by_id",
    "credit_approval_date",
    "credit_approval_partner_id",
    "credit_approval_company_id",
    "credit_approval_currency_id",
)


# Set only when the customer signs or pays online (``_credit_accepting``).
CREDIT_ACCEPTANCE_FIELDS = frozenset({"credit_customer_accepted", "credit_accepted_amount"})
_ACCEPTING_KEY = "crm_extended.credit_accepting"


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
        groups=CREDIT_READ_GROUPS,
        help="Approval by a credit controller of an order blocked by credit control. "
        "Changing the customer, company or currency, or raising the total above the "
        "approved amount, voids the approval.",
    )
    credit_approval_amount = fields.Monetary(
        string="Approved Amount", copy=False, readonly=True, groups=CREDIT_READ_GROUPS
    )
    credit_approved_by_id = fields.Many2one(
        "res.users",
        string="Credit Approved By",
        copy=False,
        readonly=True,
        groups=CREDIT_READ_GROUPS,
    )
    credit_approval_date = fields.Datetime(
        string="Credit Approval Date", copy=False, readonly=True, groups=CREDIT_READ_GROUPS
    )
    credit_approval_partner_id = fields.Many2one(
        "res.partner",
        string="Approved Customer",
        copy=False,
        readonly=True,
        groups=CREDIT_READ_GROUPS,
        help="Commercial entity of the invoice address the approval was given for.",
    )
    credit_approval_company_id = fields.Many2one(
        "res.company",
        string="Approved Company",
        copy=False,
        readonly=True,
        groups=CREDIT_READ_GROUPS,
    )
    credit_approval_currency_id = fields.Many2one(
        "res.currency",
        string="Approved Currency",
        copy=False,
        readonly=True,
        groups=CREDIT_READ_GROUPS,
    )
    credit_customer_accepted = fields.Boolean(
        string="Accepted Online, Awaiting Credit",
        copy=False,
        readonly=True,
        groups=CREDIT_READ_GROUPS,
        help="The customer signed or paid this quotation online while credit control "
        "blocked it: approving the credit confirms it.",
    )
    credit_accepted_amount = fields.Monetary(
        string="Amount Accepted Online",
        copy=False,
        readonly=True,
        groups=CREDIT_READ_GROUPS,
        help="The total the customer signed or paid online: approving the credit confirms "
        "the order only while its total is not above it.",
    )
    credit_block_reason = fields.Char(
        string="Credit Block",
        compute="_compute_credit_block_reason",
        groups=CREDIT_READ_GROUPS,
        help="Why confirming this order now would be blocked by credit control.",
    )
    credit_warning = fields.Char(
        string="Credit Warning",
        compute="_compute_credit_block_reason",
        groups=CREDIT_READ_GROUPS,
        help="The order takes the customer above its credit limit, but the company "
        "only warns on the limit.",
    )
    credit_can_approve = fields.Boolean(compute="_compute_credit_can_approve")

    # ------------------------------------------------------------ computes

    @api.depends(
        "amount_total",
        "currency_id",
        "company_id",
        "partner_invoice_id.commercial_partner_id",
        "credit_approval_amount",
        "credit_approval_partner_id",
        "credit_approval_company_id",
        "credit_approval_currency_id",
    )
    def _compute_credit_approval_state(self):
        for order in self:
            state = order.credit_approval_state or "none"
            if state == "approved" and not order._credit_approval_covers():
                # customer, company, currency or total differ from what was approved
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
        # new records too: the banner shows while the quotation is being written
        orders = self.filtered(lambda o: o.state in ("draft", "sent") and o.partner_invoice_id)
        for company, company_orders in orders.grouped("company_id").items():
            warnings = {}
            blocked = company_orders._credit_evaluate(company, cumulative=False, warnings=warnings)
            for order, message in blocked.items():
                order.credit_block_reason = message
            for order, message in warnings.items():
                order.credit_warning = message

    # ------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        # A confirmed order is only made by confirming a quotation: whatever the
        # path (vals or a context default), the order is created as a quotation
        # and then moved to `sale` through write(), which runs the credit check.
        default_state = self.env.context.get("default_state")
        confirm_indexes = []
        for index, vals in enumerate(vals_list):
            if vals.get("state", default_state) == "sale":
                vals["state"] = "draft"
                confirm_indexes.append(index)
        orders = super().create(vals_list)
        # check the values that ended on the records (context defaults included)
        orders._credit_check_approval_values()
        if confirm_indexes:
            orders.browse([orders[i].id for i in confirm_indexes]).write({"state": "sale"})
        return orders

    def write(self, vals):
        if not self.env.su and vals.keys() - {"message_main_attachment_id"}:
            # a user who may not write the order learns nothing of its credit
            self.check_access("write")
        self._credit_check_approval_write(vals)
        if vals.get("state") == "sale":
            # every way into the `sale` state (action_confirm included) passes
            # here; the check is of the order as it will be confirmed, so the
            # other values of the same write land first
            if others := {key: value for key, value in vals.items() if key != "state"}:
                self.write(others)
                vals = {"state": "sale"}
            self._credit_check_confirmation()
        approved = self._credit_approved_orders()
        confirmed = self._credit_confirmed_snapshot()
        result = super().write(vals)
        approved._credit_note_voided()
        self._credit_check_confirmed_changes(confirmed)
        return result

    # ------------------------------------------------------------ the credit invariant's choke point

    def _write_multi(self, vals_list):
        # every change of a stored value reaches here (flushes of computed
        # fields, sudo, any combination of values): see crm_credit_invariant.py
        # (the cache holds the new values: an order that is confirmed now, or
        # whose state changes, may weigh on a customer; a quotation's edits not)
        changes = {
            order.id: vals
            for order, vals in zip(self, vals_list, strict=True)
            if ORDER_KEYS & vals.keys() and ("state" in vals or order.state == "sale")
        }
        if changes:
            self.env["res.partner"]._credit_inv_touch_orders(list(changes), changes)
        return super()._write_multi(vals_list)

    def _create(self, data_list):
        confirmed = [data["stored"] for data in data_list if data["stored"].get("state") == "sale"]
        if confirmed:
            # before the insert: what the customers owe without these orders
            self.env["res.partner"]._credit_inv_touch_new_documents(confirmed)
        records = super()._create(data_list)
        if confirmed:
            self.env["res.partner"]._credit_inv_register_orders(records.ids)
        return records

    # ------------------------------------------------------------ actions

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
        self._credit_request(
            self.env._(
                "Credit approval requested by %(user)s for %(amount)s: %(reason)s",
                user=self.env.user.name,
                amount=format_amount(self.env, self.amount_total, self.currency_id),
                reason=self.credit_block_reason or self.env._("no block at the moment"),
            )
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "Credit approval requested: %(controllers)s will review %(order)s.",
                    controllers=", ".join(controllers.mapped("name")),
                    order=self.name,
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_approve_credit(self):
        self.ensure_one()
        self._credit_check_controller()
        if self.state not in ("draft", "sent"):
            raise UserError(self.env._("Only quotations can be approved by credit control."))
        # the controller may lack the sales rights to write the order: the
        # group check above is the gate, this write the logged path
        order = self.sudo()
        order.write(
            {
                "credit_approval_state": "approved",
                "credit_approval_amount": self.amount_total,
                "credit_approved_by_id": self.env.uid,
                "credit_approval_date": fields.Datetime.now(),
                "credit_approval_partner_id": self.partner_invoice_id.commercial_partner_id.id,
                "credit_approval_company_id": self.company_id.id,
                "credit_approval_currency_id": self.currency_id.id,
            }
        )
        self._credit_done_activities(self.env._("Approved"))
        order._credit_notify_salesperson(
            self.env._(
                "Credit approved by %(user)s for %(amount)s.",
                user=self.env.user.name,
                amount=format_amount(self.env, self.amount_total, self.currency_id),
            )
        )
        if order.credit_customer_accepted:
            if (
                order.currency_id.compare_amounts(order.amount_total, order.credit_accepted_amount)
                <= 0
            ):
                # the customer already signed or paid online: the approval confirms
                order.with_context(send_email=True).action_confirm()
            else:
                order.message_post(
                    body=self.env._(
                        "The customer accepted %(accepted)s online; the total is now "
                        "%(total)s: the order is not confirmed, the customer must accept the "
                        "new total first.",
                        accepted=format_amount(
                            self.env, order.credit_accepted_amount, order.currency_id
                        ),
                        total=format_amount(self.env, order.amount_total, order.currency_id),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        return True

    def action_reject_credit(self):
        self.ensure_one()
        self._credit_check_controller()
        if self.state not in ("draft", "sent"):
            raise UserError(self.env._("Only quotations can be rejected by credit control."))
        self.sudo().write(
            {
                "credit_approval_state": "rejected",
                "credit_approval_amount": 0.0,
                "credit_approved_by_id": self.env.uid,
                "credit_approval_date": fields.Datetime.now(),
                "credit_approval_partner_id": False,
                "credit_approval_company_id": False,
                "credit_approval_currency_id": False,
            }
        )
        self._credit_done_activities(self.env._("Rejected"))
        self.sudo()._credit_notify_salesperson(
            self.env._(
                "Credit rejected by %(user)s for %(amount)s.",
                user=self.env.user.name,
                amount=format_amount(self.env, self.amount_total, self.currency_id),
            )
        )
        return True

    def action_confirm(self):
        if not self.env.su:
            self.check_access("write")
        return super().action_confirm()

    # ------------------------------------------------------------ Odoo's own confirmation paths

    def _validate_order(self):
        """Portal acceptance: a blocked quotation waits for a credit controller.

        The customer sees no error and no credit information: the signature
        is kept, the order stays a quotation and the controllers get an
        approval request; approving it then confirms the order.
        """
        held = self._credit_hold_online_acceptance()
        if rest := self - held:
            return super(SaleOrder, rest)._validate_order()
        return None

    # ------------------------------------------------------------ business methods

    def _credit_approval_covers(self):
        """The order is approved for its customer, company, currency and total."""
        self.ensure_one()
        order = self.sudo()
        return (
            order.credit_approval_state == "approved"
            and order.credit_approval_partner_id == order.partner_invoice_id.commercial_partner_id
            and order.credit_approval_company_id == order.company_id
            and order.credit_approval_currency_id == order.currency_id
            and order.currency_id.compare_amounts(order.amount_total, order.credit_approval_amount)
            <= 0
        )

    def _credit_paid_by_transaction(self):
        """The order is fully paid by done transactions of its own customer.

        A transaction counts only when it is linked to this order alone, so
        one payment never exempts two orders.
        """
        self.ensure_one()
        order = self.sudo()
        customer = order.partner_invoice_id.commercial_partner_id
        transactions = order.transaction_ids.filtered(
            lambda tx: (
                tx.state == "done"
                and tx.sale_order_ids == order
                and tx.partner_id.commercial_partner_id == customer
            )
        )
        paid = sum(
            tx.currency_id._convert(tx.amount, order.currency_id, order.company_id)
            for tx in transactions
        )
        return (
            bool(transactions) and order.currency_id.compare_amounts(paid, order.amount_total) >= 0
        )

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
        orders = self.sorted(lambda o: o._origin.id or 0) if cumulative else self
        for order in orders:
            partner = order.partner_invoice_id.commercial_partner_id
            values = figures[partner.id]
            amount = order.currency_id._convert(
                order.amount_total, company_currency, company, today
            )
            exposure = running[partner.id]
            limit = values["credit_limit"]
            reason, over_limit = order._credit_block_reason_for(
                partner, values, exposure, amount, company
            )
            if not reason and over_limit and warnings is not None:
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

    def _credit_block_reason_for(self, partner, values, exposure, amount, company):
        """Why adding ``amount`` to the ``exposure`` of ``partner`` is blocked.

        :param values: the partner's figures (``_credit_get_figures``)
        :return: ``(reason or False, whether the limit would be exceeded)``
        """
        currency = company.currency_id
        limit = values["credit_limit"]
        over_limit = bool(limit) and currency.compare_amounts(exposure + amount, limit) > 0
        if values["credit_on_hold"]:
            return partner._credit_hold_description(values), over_limit
        if over_limit and company.credit_hold_block_on_limit:
            reason = self.env._(
                "this order (%(amount)s) would take the exposure above the credit limit",
                amount=format_amount(self.env, amount, currency),
            )
            return reason, over_limit
        return False, over_limit

    def _credit_confirmed_snapshot(self):
        """What each confirmed order of ``self`` weighs on its customer now.

        :return: ``{order id: (customer id, company id, currency id, total)}``
        """
        return {
            order.id: (
                order.partner_invoice_id.commercial_partner_id.id,
                order.company_id.id,
                order.currency_id.id,
                order.amount_total,
            )
            for order in self.sudo()
            if order.state == "sale"
        }

    def _credit_check_confirmed_changes(self, before):
        """Refuse a change that makes a confirmed order weigh more on a blocked customer.

        A confirmed order that gets more lines, a higher quantity or price, or
        another customer adds to a customer's exposure without a confirmation:
        the same rule applies as when confirming, for every caller, unless the
        order's approval covers its new total.

        :param before: ``_credit_confirmed_snapshot()`` taken before the change
        """
        if not before:
            return
        raised = {}
        for order in self.sudo().browse(list(before)):
            if order.state != "sale":
                continue
            customer, company_id, currency_id, total = before[order.id]
            same = (
                order.partner_invoice_id.commercial_partner_id.id,
                order.company_id.id,
                order.currency_id.id,
            ) == (customer, company_id, currency_id)
            if not same:
                raised[order] = order.amount_total
            elif order.currency_id.compare_amounts(order.amount_total, total) > 0:
                raised[order] = order.amount_total - total
        if not raised:
            return
        today = fields.Date.context_today(self)
        blocked = {}
        orders = self.sudo().browse([order.id for order in raised])
        for company, company_orders in orders._credit_locked_groups():
            # the figures count the changed orders already: take their rise off
            figures = company_orders.partner_invoice_id.commercial_partner_id._credit_get_figures(
                company
            )
            for order in company_orders:
                partner = order.partner_invoice_id.commercial_partner_id
                values = figures[partner.id]
                amount = order.currency_id._convert(
                    raised[order], company.currency_id, company, today
                )
                exposure = values["credit_exposure"] - amount
                reason, _over = order._credit_block_reason_for(
                    partner, values, exposure, amount, company
                )
                if reason and not (
                    order._credit_approval_covers() or order._credit_paid_by_transaction()
                ):
                    blocked[order] = self.env._(
                        "Confirmed order %(order)s cannot take this change: it adds "
                        "%(amount)s to what %(customer)s owes (credit exposure %(exposure)s, "
                        "credit limit %(limit)s); %(reason)s. Put the additional products "
                        "in a new quotation for a credit controller to approve.",
                        order=order.name,
                        amount=format_amount(self.env, amount, company.currency_id),
                        customer=partner.display_name,
                        exposure=format_amount(self.env, exposure, company.currency_id),
                        limit=format_amount(self.env, values["credit_limit"], company.currency_id)
                        if values["credit_limit"]
                        else self.env._("none"),
                        reason=reason,
                    )
        if blocked:
            raise UserError("\n".join(blocked.values()))

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

    def _credit_blocked_orders(self):
        """``{order: message}`` of the quotations credit control blocks now.

        Runs for every caller (sudo, administrators, any context). The guard
        rows are updated first, so that two transactions confirming orders of
        the same customer serialize (see crm.credit.guard).
        """
        orders = self.filtered(lambda o: o.state in ("draft", "sent"))
        blocked = {}
        for company, company_orders in orders._credit_locked_groups():
            blocked.update(company_orders._credit_evaluate(company))
        return blocked

    def _credit_locked_groups(self):
        """``(company, orders)`` of ``self`` whose customer credit control may
        block, per company, once the guard rows of their customers are locked
        (see crm.credit.guard)."""
        for company, company_orders in self.grouped("company_id").items():
            company_orders = company_orders._credit_orders_to_check(company)
            if not company_orders:
                continue
            partners = company_orders.partner_invoice_id.commercial_partner_id
            # one guard row per customer for the company and its branches
            self.env["crm.credit.guard"].sudo()._lock(partners.ids, company.root_id.id)
            yield company, company_orders

    def _credit_check_confirmation(self):
        """Refuse to confirm orders blocked by credit control."""
        blocked = self._credit_blocked_orders()
        if blocked:
            raise UserError(
                "\n".join(
                    self.env._(
                        "Order %(order)s cannot be confirmed. %(message)s",
                        order=order.name,
                        message=message,
                    )
                    for order, message in blocked.items()
                )
            )

    def _credit_hold_online_acceptance(self):
        """Keep blocked quotations the customer accepted online as quotations.

        Marks them accepted and requests the credit approval (without any
        message to the customer). :return: the orders held
        """
        held = self.browse([order.id for order in self._credit_blocked_orders()])
        for order in held.sudo():
            with self._credit_accepting():
                order.write(
                    {"credit_customer_accepted": True, "credit_accepted_amount": order.amount_total}
                )
            if order.credit_approval_state != "requested":
                order._credit_request(
                    order.env._(
                        "The customer accepted %(order)s online (%(amount)s), but credit "
                        "control blocks it: the order stays a quotation until a credit "
                        "controller approves it.",
                        order=order.name,
                        amount=format_amount(order.env, order.amount_total, order.currency_id),
                    )
                )
        return held

    def _credit_request(self, note):
        """Mark the approval requested, schedule the controllers' activities and
        log ``note`` as an internal note (never shown to the customer)."""
        self.ensure_one()
        order = self.sudo()
        order.credit_approval_state = "requested"
        for user in order._credit_controllers():
            order.activity_schedule(
                "crm_extended.mail_activity_type_credit_approval",
                note=note,
                user_id=user.id,
            )
        order.message_post(body=note, subtype_xmlid="mail.mt_note")

    def _credit_approved_orders(self):
        return self.sudo().filtered(lambda o: o.credit_approval_state == "approved")

    def _credit_note_voided(self):
        """Log the approvals that a change of these (formerly approved) orders voided."""
        for order in self.sudo().filtered(lambda o: o.credit_approval_state != "approved"):
            order.message_post(
                body=order.env._(
                    "The credit approval is void: the customer, company, currency or total "
                    "of the order changed since it was approved."
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _credit_notify_salesperson(self, body):
        """Log ``body`` as an internal note that notifies the order's salesperson."""
        self.ensure_one()
        partner = self.user_id.partner_id
        self.message_post(
            body=body,
            subtype_xmlid="mail.mt_note",
            partner_ids=partner.ids if partner and partner != self.env.user.partner_id else [],
        )

    def _credit_may_set_approval(self):
        """Approval values come from the controllers' actions only: those run in
        ``sudo()`` after checking the user is a credit controller. No RPC call is
        ever ``sudo()``, so no context key, import or direct write gets here."""
        return self.env.uid == SUPERUSER_ID or (
            self.env.su and self.env.user.has_group("crm_extended.group_credit_controller")
        )

    @contextmanager
    def _credit_accepting(self):
        """The customer's online acceptance is being recorded inside this block
        (a flag in ``cr.cache``, which only server code reaches)."""
        cache = self.env.cr.cache
        cache[_ACCEPTING_KEY] = cache.get(_ACCEPTING_KEY, 0) + 1
        try:
            yield
        finally:
            cache[_ACCEPTING_KEY] = cache.get(_ACCEPTING_KEY, 1) - 1

    @api.model
    def _credit_check_approval_write(self, vals):
        touched = any(vals.get(name) for name in CREDIT_APPROVAL_FIELDS) or vals.get(
            "credit_approval_state"
        ) in ("approved", "rejected")
        if touched and not self._credit_may_set_approval():
            raise self._credit_approval_access_error()
        if (
            CREDIT_ACCEPTANCE_FIELDS & vals.keys()
            and not self.env.cr.cache.get(_ACCEPTING_KEY)
            and self.env.uid != SUPERUSER_ID
        ):
            raise AccessError(
                self.env._(
                    "Only the customer's own signature or payment online marks a quotation "
                    "as accepted by the customer."
                )
            )

    def _credit_check_approval_values(self):
        """Refuse records that ended up with approval values (e.g. from context
        defaults) their creator may not set."""
        if self.env.uid != SUPERUSER_ID:
            for order in self.sudo():
                if any(order[name] for name in CREDIT_ACCEPTANCE_FIELDS):
                    self._credit_check_approval_write(dict.fromkeys(CREDIT_ACCEPTANCE_FIELDS))
        if self._credit_may_set_approval():
            return
        for order in self.sudo():
            if order.credit_approval_state in ("approved", "rejected") or any(
                order[name] for name in CREDIT_APPROVAL_FIELDS
            ):
                raise self._credit_approval_access_error()

    def _credit_approval_access_error(self):
        return AccessError(
            self.env._(
                "Only credit controllers can approve or reject orders blocked by credit "
                "control, with the Approve Credit and Reject Credit buttons."
            )
        )

    @api.model
    def _credit_check_controller(self):
        if not self.env.user.has_group("crm_extended.group_credit_controller"):
            raise AccessError(
                self.env._(
                    "Only credit controllers can approve or reject orders blocked by credit control."
                )
            )

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
        activity_type = self.env.ref("crm_extended.mail_activity_type_credit_approval")
        activities = self.sudo().activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        )
        if activities:
            activities.action_feedback(feedback=feedback)
