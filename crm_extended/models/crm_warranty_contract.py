import logging
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from psycopg2.extensions import TransactionRollbackError

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command, Domain
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..tools.text_limits import NAME_MAX_LENGTH, check_text_lengths

_logger = logging.getLogger(__name__)

# States a contract can be cancelled from / renewed from.
CANCELLABLE_STATES = ("draft", "active", "expired")
RENEWABLE_STATES = ("active", "expired")
# references and serial numbers: refused above this many characters
TEXT_LIMITS = {"name": NAME_MAX_LENGTH, "serial_number": NAME_MAX_LENGTH}
# errors of a concurrent transaction, not of the record: they roll the job back
# and Odoo runs it again, instead of skipping the record as broken
CONCURRENCY_ERRORS = (TransactionRollbackError, *PG_CONCURRENCY_EXCEPTIONS_TO_RETRY)


class CrmWarrantyContract(models.Model):
    _name = "crm.warranty.contract"
    _description = "Warranty Contract"
    _inherit = ["mail.thread", "mail.activity.mixin", "crm.extended.input.guard"]
    _order = "date_end desc, id desc"
    _check_company_auto = True

    # ------------------------------------------------------------------ fields
    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        index="trigram",
        default=lambda self: self.env._("New"),
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    product_id = fields.Many2one(
        "product.product",
        string="Product",
        required=True,
        tracking=True,
        check_company=True,
    )
    # indexed: an after-sales case looks its contract up by serial number
    serial_number = fields.Char(tracking=True, index="btree_not_null")
    quantity = fields.Float(default=1.0, digits="Product Unit", required=True)
    sale_order_id = fields.Many2one(
        "sale.order",
        string="Sales Order",
        index="btree_not_null",
        copy=False,
        check_company=True,
    )
    sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Sales Order Line",
        index="btree_not_null",
        copy=False,
        domain="[('order_id', '=', sale_order_id)]",
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "crm_warranty_contract_account_move_rel",
        "contract_id",
        "move_id",
        string="Invoices",
        compute="_compute_invoice_ids",
        store=True,
        copy=False,
        help="Posted customer invoices of the sales order line this warranty comes from.",
    )
    date_start = fields.Date(
        string="Start Date", required=True, tracking=True, default=fields.Date.context_today
    )
    date_end = fields.Date(string="End Date", required=True, tracking=True, index=True)
    warranty_type = fields.Selection(
        [
            ("standard", "Standard"),
            ("extended", "Extended"),
            ("maintenance", "Maintenance"),
        ],
        required=True,
        default="standard",
        tracking=True,
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "Active"),
            ("expired", "Expired"),
            ("renewed", "Renewed"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="draft",
        copy=False,
        index=True,
        tracking=True,
    )
    renewal_of_id = fields.Many2one(
        "crm.warranty.contract",
        string="Renewal Of",
        index="btree_not_null",
        copy=False,
        check_company=True,
        help="The contract this one renews.",
    )
    renewal_ids = fields.One2many(
        "crm.warranty.contract", "renewal_of_id", string="Renewals", copy=False
    )
    renewal_order_id = fields.Many2one(
        "sale.order",
        string="Renewal Quotation",
        index="btree_not_null",
        copy=False,
        check_company=True,
        tracking=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        tracking=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    amount = fields.Monetary(
        string="Price",
        currency_field="currency_id",
        help="Price paid for the warranty (extended warranties and renewals).",
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    terms = fields.Html(string="Terms and Conditions")
    days_to_expiry = fields.Integer(
        compute="_compute_days_to_expiry",
        help="Days left until the end date (negative once it has passed).",
    )
    reminder_date = fields.Date(
        string="Renewal Reminder Sent On",
        readonly=True,
        copy=False,
        help="Set when the renewal activity and e-mail were sent: they are sent only once.",
    )

    # the daily cron looks active contracts up by end date
    _state_date_end_idx = models.Index("(state, date_end)")
    # an after-sales case looks the customer's contract up by product
    _product_company_idx = models.Index("(product_id, company_id)")

    # ---------------------------------------------------------------- computes
    @api.depends(
        "sale_line_id.invoice_lines.move_id.state",
        "sale_line_id.invoice_lines.move_id.move_type",
    )
    def _compute_invoice_ids(self):
        for contract in self:
            contract.invoice_ids = contract.sale_line_id.invoice_lines.move_id.filtered(
                lambda move: move.state == "posted" and move.move_type == "out_invoice"
            )

    @api.depends("date_end")
    @api.depends_context("tz")
    def _compute_days_to_expiry(self):
        today = fields.Date.context_today(self)
        for contract in self:
            contract.days_to_expiry = (contract.date_end - today).days if contract.date_end else 0

    # ------------------------------------------------------------- constraints
    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for contract in self:
            if (
                contract.date_end
                and contract.date_start
                and contract.date_end < contract.date_start
            ):
                raise ValidationError(
                    self.env._(
                        "The end date of warranty contract %(name)s (%(end)s) cannot be "
                        "before its start date (%(start)s).",
                        name=contract.name,
                        end=contract.date_end,
                        start=contract.date_start,
                    )
                )

    @api.constrains("quantity")
    def _check_quantity(self):
        for contract in self:
            if contract.quantity <= 0:
                raise ValidationError(
                    self.env._(
                        "The quantity of warranty contract %(name)s must be positive.",
                        name=contract.name,
                    )
                )

    # -------------------------------------------------------------------- CRUD
    @api.model_create_multi
    def create(self, vals_list):
        check_text_lengths(self, vals_list, TEXT_LIMITS)
        default_name = self.env._("New")
        for vals in vals_list:
            if not vals.get("name") or vals["name"] == default_name:
                company_id = vals.get("company_id")
                company = (
                    isinstance(company_id, int) and self.env["res.company"].browse(company_id)
                ) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code("crm.warranty.contract")
                    or default_name
                )
        return super().create(vals_list)

    def write(self, vals):
        check_text_lengths(self, [vals], TEXT_LIMITS)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft_or_cancelled(self):
        if any(contract.state not in ("draft", "cancelled") for contract in self):
            raise UserError(
                self.env._("Only draft or cancelled warranty contracts can be deleted.")
            )

    # ----------------------------------------------------------------- actions
    def action_activate(self):
        not_draft = self.filtered(lambda c: c.state != "draft")
        if not_draft:
            raise UserError(
                self.env._(
                    "Only draft warranty contracts can be activated: %(names)s.",
                    names=", ".join(not_draft.mapped("name")),
                )
            )
        self.write({"state": "active"})
        return True

    def action_expire(self):
        not_active = self.filtered(lambda c: c.state != "active")
        if not_active:
            raise UserError(
                self.env._(
                    "Only active warranty contracts can be set to expired: %(names)s.",
                    names=", ".join(not_active.mapped("name")),
                )
            )
        self.write({"state": "expired"})
        return True

    def action_cancel(self):
        refused = self.filtered(lambda c: c.state not in CANCELLABLE_STATES)
        if refused:
            raise UserError(
                self.env._(
                    "Renewed or already cancelled warranty contracts cannot be cancelled: "
                    "%(names)s.",
                    names=", ".join(refused.mapped("name")),
                )
            )
        self.write({"state": "cancelled"})
        return True

    def action_draft(self):
        refused = self.filtered(lambda c: c.state != "cancelled")
        if refused:
            raise UserError(
                self.env._(
                    "Only cancelled warranty contracts can be reset to draft: %(names)s.",
                    names=", ".join(refused.mapped("name")),
                )
            )
        self.write({"state": "draft"})
        return True

    def action_renew(self):
        """Create (or reopen) the renewal quotation of this contract."""
        self.ensure_one()
        if self.state not in RENEWABLE_STATES:
            state_label = dict(self._fields["state"]._description_selection(self.env))[self.state]
            raise UserError(
                self.env._(
                    "Warranty contract %(name)s is %(state)s: only active or expired "
                    "contracts can be renewed.",
                    name=self.name,
                    state=state_label,
                )
            )
        order = self.renewal_order_id
        if not order or order.state == "cancel":
            order = self.env["sale.order"].create(self._prepare_renewal_order_values())
            self.renewal_order_id = order
            self.message_post(
                body=self.env._(
                    "Renewal quotation %(order)s created.", order=order._get_html_link()
                )
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": order.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def action_view_sale_order(self):
        self.ensure_one()
        return self.sale_order_id.get_formview_action()

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", self.invoice_ids.ids)]
        action["context"] = {"create": False}
        if len(self.invoice_ids) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.invoice_ids.id
        return action

    # -------------------------------------------------------- business logic
    @api.model
    def _warranty_end_date(self, date_start, months):
        return date_start + relativedelta(months=months)

    def _prepare_renewal_order_values(self):
        self.ensure_one()
        product = self.product_id.warranty_renewal_product_id or self.product_id
        return {
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "user_id": self.user_id.id or self.env.user.id,
            "origin": self.name,
            "order_line": [
                Command.create({"product_id": product.id, "product_uom_qty": self.quantity})
            ],
        }

    def _warranty_successor_values(self, order):
        """Values of the contract renewing ``self`` through confirmed ``order``."""
        self.ensure_one()
        renewal_product = self.product_id.warranty_renewal_product_id
        line = order.order_line.filtered(
            lambda sol: (
                not sol.display_type and sol.product_id in (renewal_product | self.product_id)
            )
        )[:1]
        date_start = self.date_end + timedelta(days=1)
        # the renewal product's own warranty length wins, else the same length again
        months = line.product_id.warranty_months if line.product_id == renewal_product else 0
        if months:
            date_end = self._warranty_end_date(date_start, months)
        else:
            date_end = date_start + relativedelta(self.date_end, self.date_start)
        return {
            "partner_id": self.partner_id.id,
            "product_id": self.product_id.id,
            "serial_number": self.serial_number,
            "quantity": self.quantity,
            "sale_order_id": order.id,
            "sale_line_id": line.id,
            "date_start": date_start,
            "date_end": date_end,
            "warranty_type": "extended" if self.warranty_type == "standard" else self.warranty_type,
            "state": "active",
            "renewal_of_id": self.id,
            "user_id": order.user_id.id or self.user_id.id,
            "company_id": self.company_id.id,
            "amount": line.price_subtotal,
            "currency_id": (order.currency_id or self.currency_id).id,
            "terms": self.terms,
        }

    def _warranty_responsible(self):
        """The user who gets the renewal to-do of the contract: its responsible,
        else the salesperson of its sales order, else the customer's
        salesperson, else the leader of the order's sales team; the first one
        who can still take it (active internal user of the contract's company,
        allowed to read warranties). Nobody: an empty recordset, and the to-do
        stays unassigned on the contract."""
        self.ensure_one()
        order = self.sale_order_id
        candidates = (
            self.user_id
            | order.user_id
            | self.partner_id.commercial_partner_id.user_id
            | order.team_id.user_id
        )
        return candidates.filtered(
            lambda user: (
                user.active
                and not user.share
                and self.company_id in user.company_ids
                and self.browse().with_user(user).has_access("read")
            )
        )[:1]

    def _warranty_close_renewal_activities(self):
        """Mark the "renew this warranty" to-dos of renewed contracts done."""
        activity_type = self.env.ref(
            "crm_extended.mail_activity_type_warranty_renewal", raise_if_not_found=False
        )
        if not activity_type or not self:
            return
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
        )
        for contract in self:
            done = activities.filtered(lambda a, contract=contract: a.res_id == contract.id)
            if done:
                done.action_feedback(
                    feedback=self.env._(
                        "Renewed by %(order)s.", order=contract.renewal_order_id.name or ""
                    )
                )

    # -------------------------------------------------------------------- cron
    @api.model
    def _warranty_expire_domain(self, today):
        return Domain("state", "=", "active") & Domain("date_end", "<", today)

    @api.model
    def _warranty_reminder_domain(self, today):
        per_company = [
            Domain("company_id", "=", company.id)
            & Domain("date_end", "<=", today + timedelta(days=company.warranty_reminder_days))
            for company in self.env["res.company"].sudo().search([])
            if company.warranty_reminder_days > 0
        ]
        if not per_company:
            return Domain.FALSE
        return (
            Domain("state", "=", "active")
            & Domain("reminder_date", "=", False)
            & Domain("date_end", ">=", today)
            & Domain.OR(per_company)
        )

    @api.model
    def _cron_process_warranties(self, batch_size=1000, reminder_batch_size=50):
        """Daily job: expire what ended, remind what ends soon.

        Works in batches. Inside the ``ir.cron`` job each batch is committed
        with ``ir.cron._commit_progress``; called directly (tests, shell), it
        never commits. A record that fails is logged and skipped. Running it
        twice changes nothing the second time.

        :return: dict with the number of contracts ``expired``, ``reminded``
            and ``failed`` by this run.
        """
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        cron = self.env["ir.cron"]
        today = fields.Date.context_today(self)
        # expiring is one UPDATE per batch; a reminder renders and queues an
        # e-mail and creates an activity: smaller batches keep each commit short
        steps = [
            (self._warranty_expire_domain(today), "_warranty_expire_batch", "expired", batch_size),
            (
                self._warranty_reminder_domain(today),
                "_warranty_remind_batch",
                "reminded",
                reminder_batch_size,
            ),
        ]
        result = {"expired": 0, "reminded": 0, "failed": 0}
        if in_cron:
            cron._commit_progress(remaining=sum(self.search_count(step[0]) for step in steps))
        failed_ids = []
        for domain, method, key, limit in steps:
            while True:
                batch = self.search(
                    domain & Domain("id", "not in", failed_ids),
                    order="date_end, id",
                    limit=limit,
                )
                if not batch:
                    break
                done, failed = getattr(batch, method)(today)
                result[key] += len(done)
                result["failed"] += len(failed)
                failed_ids += failed.ids
                if in_cron and not cron._commit_progress(len(batch)):
                    # time budget of this run spent: the cron calls again
                    return result
        if in_cron:
            cron._commit_progress(remaining=0)
        return result

    def _warranty_run_each(self, method, today, message):
        """Run ``method`` on each record in its own savepoint.

        :return: (records done, records that failed)
        """
        done = failed = self.browse()
        for contract in self:
            try:
                with self.env.cr.savepoint():
                    getattr(contract, method)(today)
            except CONCURRENCY_ERRORS:
                raise  # a concurrent update: Odoo retries, the record is not broken
            except Exception:  # noqa: BLE001 - one broken record must not stop the job
                _logger.exception(message, contract.id)
                failed |= contract
            else:
                done |= contract
        return done, failed

    def _warranty_expire_batch(self, today):
        """Expire the batch at once; fall back to one by one when it fails."""
        try:
            with self.env.cr.savepoint():
                self._warranty_expire(today)
        except CONCURRENCY_ERRORS:
            raise  # a concurrent update: Odoo retries, the batch is not broken
        except Exception:  # noqa: BLE001 - find and skip the broken record(s) below
            return self._warranty_run_each(
                "_warranty_expire", today, "Warranty contract %s could not be expired"
            )
        return self, self.browse()

    def _warranty_expire(self, today):
        # mass state change of the nightly job: no tracking message per record
        self.with_context(mail_notrack=True).write({"state": "expired"})

    def _warranty_remind_batch(self, today):
        """Remind the batch at once; fall back to one by one when it fails."""
        try:
            with self.env.cr.savepoint():
                self._warranty_send_reminder(today)
        except CONCURRENCY_ERRORS:
            raise  # a concurrent update: Odoo retries, the batch is not broken
        except Exception:  # noqa: BLE001 - find and skip the broken record(s) below
            return self._warranty_run_each(
                "_warranty_send_reminder",
                today,
                "Renewal reminder of warranty contract %s could not be sent",
            )
        return self, self.browse()

    def _warranty_send_reminder(self, today):
        """One renewal activity for the responsible, one notice to the customer.

        Remembered in ``reminder_date``: never sent twice. The activity shows
        in the responsible's activities (no extra "assigned to you" e-mail per
        activity); the customer's e-mail is rendered from the template for the
        whole batch and queued for the mail cron.
        """
        if not self:
            return
        todo = self.env.ref("crm_extended.mail_activity_type_warranty_renewal")
        responsible = {contract: contract._warranty_responsible() for contract in self}
        model_id = self.env["ir.model"]._get_id(self._name)
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": contract.id,
                    "activity_type_id": todo.id,
                    "automated": True,
                    "date_deadline": max(contract.date_end - timedelta(days=7), today),
                    "summary": self.env._("Renew warranty %(name)s", name=contract.name),
                    "note": self.env._(
                        "Warranty %(name)s of %(customer)s ends on %(date)s: propose a renewal.",
                        name=contract.name,
                        customer=contract.partner_id.display_name,
                        date=contract.date_end,
                    ),
                    "user_id": responsible[contract].id,
                }
                for contract in self
            ]
        )
        template = self.env.ref(
            "crm_extended.mail_template_warranty_renewal", raise_if_not_found=False
        )
        to_mail = self.filtered(lambda contract: contract.partner_id.email)
        if template and to_mail:
            subjects = template._render_field("subject", to_mail.ids, compute_lang=True)
            bodies = template._render_field(
                "body_html", to_mail.ids, compute_lang=True, options={"post_process": True}
            )
            senders = template._render_field("email_from", to_mail.ids)
            for contract in to_mail.with_context(mail_notify_force_send=False):
                contract.message_post(
                    body=bodies[contract.id],
                    subject=subjects[contract.id],
                    email_from=senders[contract.id] or None,
                    author_id=responsible[contract].partner_id.id or None,
                    partner_ids=contract.partner_id.ids,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
        self.reminder_date = today
