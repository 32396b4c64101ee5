import logging
import time
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_amount, format_date

from .crm_customer_insight import RFM_SEGMENTS

_logger = logging.getLogger(__name__)


class CrmRfmSegment(models.Model):
    """One record per ``rfm_segment`` value, so that plans pick segments as tags."""

    _name = "crm.rfm.segment"
    _inherit = ["crm.extended.input.guard"]
    _description = "Customer Segment"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(RFM_SEGMENTS, required=True, readonly=True)
    sequence = fields.Integer(default=10)

    _code_uniq = models.Constraint("UNIQUE(code)", "A segment exists once.")


class CrmRetentionPlan(models.Model):
    """Which customers to contact, how often, and how many to leave out to measure uplift."""

    _name = "crm.retention.plan"
    _inherit = ["crm.extended.input.guard"]
    _description = "Retention Plan"
    _order = "sequence, id"
    _check_company_auto = True

    # fewer touches than this in a group (contacted or holdout): no rate shown
    _retention_min_outcome = 20

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    active = fields.Boolean(default=True)
    segment_ids = fields.Many2many(
        "crm.rfm.segment", string="Segments", help="Empty: customers of every segment."
    )
    min_churn_probability = fields.Float(
        "Minimum Churn Risk (%)", digits=(5, 1), help="0: any churn risk."
    )
    min_clv_12m = fields.Float(
        "Minimum 12-Month CLV", digits="Account", help="0: any value, in the company currency."
    )
    cadence_days = fields.Integer(
        "Contact Every (Days)",
        default=60,
        help="A customer of the plan is contacted again after this many days; 0: only once.",
    )
    due_days = fields.Integer(
        "Due Within (Days)", default=7, help="Days from the touch to the activity's deadline."
    )
    window_days = fields.Integer(
        "Outcome Window (Days)",
        default=90,
        help="A touched customer who buys within this many days after the due date "
        "counts as a repurchase.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        "Activity",
        required=True,
        default=lambda self: self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False),
        domain="[('res_model', 'in', (False, 'res.partner'))]",
    )
    holdout_percent = fields.Integer(
        "Holdout (%)",
        default=10,
        help="Share of the plan's customers deliberately not contacted, to measure the uplift.",
    )
    touch_ids = fields.One2many("crm.retention.touch", "plan_id", "Touches")
    touch_count = fields.Integer(compute="_compute_outcome")
    contacted_count = fields.Integer("Contacted Customers", compute="_compute_outcome")
    holdout_count = fields.Integer("Holdout Customers", compute="_compute_outcome")
    contacted_repurchase_rate = fields.Float(
        "Repurchase Rate, Contacted (%)", digits=(5, 1), compute="_compute_outcome"
    )
    holdout_repurchase_rate = fields.Float(
        "Repurchase Rate, Holdout (%)", digits=(5, 1), compute="_compute_outcome"
    )
    uplift = fields.Float(
        "Uplift (points)",
        digits=(5, 1),
        compute="_compute_outcome",
        help="Repurchase rate of the contacted customers minus that of the holdout.",
    )
    outcome_enough = fields.Boolean(
        compute="_compute_outcome",
        help="Both groups have enough customers whose outcome window has ended.",
    )

    @api.constrains(
        "holdout_percent", "cadence_days", "due_days", "window_days", "min_churn_probability"
    )
    def _check_plan_figures(self):
        """A sentence naming the figure, before the database would refuse it."""
        for plan in self:
            if not 0 <= plan.holdout_percent <= 90:
                raise ValidationError(self.env._("The holdout is between 0 and 90 %."))
            if plan.cadence_days < 0 or plan.due_days < 0 or plan.window_days <= 0:
                raise ValidationError(
                    self.env._(
                        "Cadence and due days cannot be negative, the outcome window must be "
                        "positive."
                    )
                )
            if not 0 <= plan.min_churn_probability <= 100:
                raise ValidationError(
                    self.env._("The minimum churn risk is a percentage between 0 and 100.")
                )

    @api.depends_context("company")
    def _compute_outcome(self):
        """Touches whose outcome window has ended, per plan and group, in one query."""
        Touch = self.env["crm.retention.touch"]
        today = fields.Date.context_today(self)
        counts = defaultdict(int)
        for plan, holdout, bought, count in Touch._read_group(
            [
                ("plan_id", "in", self.ids),
                ("state", "!=", "skipped"),
                ("date_window_end", "<", today),
            ],
            ["plan_id", "is_holdout", "purchased_after"],
            ["__count"],
        ):
            counts[plan.id, holdout, bought] += count
        total = dict(Touch._read_group([("plan_id", "in", self.ids)], ["plan_id"], ["__count"]))
        for plan in self:
            contacted = counts[plan.id, False, True] + counts[plan.id, False, False]
            holdout = counts[plan.id, True, True] + counts[plan.id, True, False]
            plan.touch_count = total.get(plan, 0)
            plan.contacted_count = contacted
            plan.holdout_count = holdout
            rate_c = 100.0 * counts[plan.id, False, True] / contacted if contacted else 0.0
            rate_h = 100.0 * counts[plan.id, True, True] / holdout if holdout else 0.0
            plan.contacted_repurchase_rate = rate_c
            plan.holdout_repurchase_rate = rate_h
            plan.outcome_enough = min(contacted, holdout) >= self._retention_min_outcome
            plan.uplift = rate_c - rate_h if plan.outcome_enough else 0.0

    def action_open_touches(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_extended.crm_retention_touch_action"
        )
        action["domain"] = [("plan_id", "=", self.id)]
        action["context"] = {"default_plan_id": self.id}
        return action

    # ------------------------------------------------------------ job
    @api.model
    def _cron_create_touches(self, companies=None, today=None):
        """Daily (and right after the insights): the touches of every active plan.

        Set-based: per plan one INSERT ... SELECT over the company's insights
        (never twice per customer, plan and cadence: a rerun creates nothing),
        then the activities of the new contacted touches in one batch, and one
        UPDATE of the outcome (``purchased_after``) of all touches.
        """
        today = today or fields.Date.context_today(self)
        domain = [("active", "=", True)]
        if companies:
            domain.append(("company_id", "in", companies.ids))
        plans = self.sudo().search(domain)
        if not plans:
            return self.env["crm.retention.touch"].sudo()
        started = time.perf_counter()
        self.env["crm.customer.insight"].flush_model()
        self.env["res.partner"].flush_model(["user_id", "commercial_partner_id"])
        self.env["sale.order"].flush_model(["partner_id", "team_id", "state", "date_order"])
        self.env["crm.retention.touch"].flush_model()
        created = self.env["crm.retention.touch"].sudo()
        for plan in plans:
            created |= plan._retention_insert_touches(today)
        created._retention_create_activities()
        plans._retention_update_outcome(today)
        _logger.info(
            "Retention plans: %d touches of %d plans in %.1f s",
            len(created),
            len(plans),
            time.perf_counter() - started,
        )
        return created

    def _retention_insert_touches(self, today):
        self.ensure_one()
        codes = self.segment_ids.mapped("code")
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO crm_retention_touch (
                    plan_id, partner_id, company_id, user_id, date_touched, date_due,
                    date_window_end,
                    is_holdout, state, create_uid, create_date, write_uid, write_date)
                SELECT %(plan)s, insight.partner_id, %(company)s, owner.user_id,
                       %(today)s, %(due)s, %(window_end)s, owner.holdout,
                       CASE WHEN owner.holdout THEN 'holdout'
                            WHEN owner.user_id IS NULL THEN 'skipped'
                            ELSE 'due' END,
                       %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
                  FROM crm_customer_insight insight
                  JOIN res_partner partner ON partner.id = insight.partner_id
                 CROSS JOIN LATERAL (
                       -- no salesperson: the leader of the team of the latest order
                       SELECT COALESCE(partner.user_id, (
                                  SELECT team.user_id
                                    FROM sale_order sale
                                    JOIN res_partner buyer ON buyer.id = sale.partner_id
                                    JOIN crm_team team ON team.id = sale.team_id
                                   WHERE buyer.commercial_partner_id = insight.partner_id
                                     AND sale.company_id = %(company)s
                                     AND sale.state = 'sale'
                                ORDER BY sale.date_order DESC, sale.id DESC
                                   LIMIT 1)) AS user_id,
                              abs(hashtext(%(plan)s::text || '-' || insight.partner_id::text)) %% 100
                                  < %(holdout)s AS holdout) owner
                 WHERE insight.company_id = %(company)s
                   AND (%(any_segment)s OR insight.rfm_segment = ANY(%(codes)s::varchar[]))
                   AND (%(min_churn)s = 0 OR insight.churn_probability >= %(min_churn)s)
                   AND (%(min_clv)s = 0 OR insight.clv_12m >= %(min_clv)s)
                   AND NOT EXISTS (
                       SELECT 1 FROM crm_retention_touch touch
                        WHERE touch.plan_id = %(plan)s
                          AND touch.partner_id = insight.partner_id
                          AND (%(cadence)s = 0 OR touch.date_due > %(since)s))
                ON CONFLICT (plan_id, partner_id, date_due) DO NOTHING
                RETURNING id
                """,
                plan=self.id,
                company=self.company_id.id,
                today=today,
                due=today + timedelta(days=self.due_days),
                window_end=today + timedelta(days=self.due_days + self.window_days),
                uid=self.env.uid,
                holdout=self.holdout_percent,
                any_segment=not codes,
                codes=codes,
                min_churn=self.min_churn_probability,
                min_clv=self.min_clv_12m,
                cadence=self.cadence_days,
                since=today + timedelta(days=self.due_days - self.cadence_days),
            )
        )
        return self.env["crm.retention.touch"].sudo().browse(r[0] for r in self.env.cr.fetchall())

    def _retention_update_outcome(self, today):
        """``purchased_after`` of the plans' touches: a posted invoice after the touch,
        to the window's end."""
        self.env["account.move"].flush_model(
            ["commercial_partner_id", "move_type", "state", "invoice_date", "company_id"]
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE crm_retention_touch touch
                   SET purchased_after = bought.value
                  FROM (SELECT touch.id,
                               EXISTS (SELECT 1 FROM account_move move
                                        WHERE move.commercial_partner_id = touch.partner_id
                                          AND move.company_id = touch.company_id
                                          AND move.state = 'posted'
                                          AND move.move_type = 'out_invoice'
                                          AND move.invoice_date > touch.date_touched
                                          AND move.invoice_date <= touch.date_window_end
                                          AND move.invoice_date <= %(today)s) AS value
                          FROM crm_retention_touch touch
                         WHERE touch.plan_id = ANY(%(plans)s)
                           AND touch.date_touched < %(today)s
                           AND touch.date_window_end >= %(today)s - 1) bought
                 WHERE touch.id = bought.id
                   AND touch.purchased_after IS DISTINCT FROM bought.value
                """,
                today=today,
                plans=self.ids,
            )
        )
        self.env["crm.retention.touch"].invalidate_model(["purchased_after"])


class CrmRetentionTouch(models.Model):
    """One contact of one customer by one plan (or its deliberate absence: holdout)."""

    _name = "crm.retention.touch"
    _inherit = ["crm.extended.input.guard"]
    _description = "Retention Touch"
    _order = "date_due desc, id desc"
    _rec_name = "partner_id"
    _check_company_auto = True

    plan_id = fields.Many2one(
        "crm.retention.plan",
        "Plan",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    user_id = fields.Many2one("res.users", "Salesperson", index=True)
    date_due = fields.Date("Due Date", required=True, default=fields.Date.context_today)
    date_touched = fields.Date("Touched On", readonly=True, help="When the nightly job made it.")
    date_window_end = fields.Date("Outcome Window End", readonly=True)
    activity_id = fields.Many2one("mail.activity", "Activity", ondelete="set null", readonly=True)
    is_holdout = fields.Boolean("Holdout", readonly=True)
    state = fields.Selection(
        [("due", "Due"), ("done", "Done"), ("skipped", "Skipped"), ("holdout", "Holdout")],
        default="due",
        required=True,
    )
    date_done = fields.Date("Done On", readonly=True)
    purchased_after = fields.Boolean(
        "Bought Again", readonly=True, help="Bought within the plan's window after the touch."
    )

    _plan_partner_due_uniq = models.Constraint(
        "UNIQUE(plan_id, partner_id, date_due)",
        "A customer has one touch per plan and due date.",
    )

    def _retention_create_activities(self):
        """The activities of the new touches to contact, with the why and the what.

        Set-based: the notes for all the touches in a few queries, then one
        INSERT of the activities (ids drawn from their sequence beforehand) and
        one UPDATE linking them to the touches; creating them one by one through
        the ORM costs ~3 ms each, too slow for a nightly run over 100,000 customers.
        They are automated activities: their assignees are not notified one by one
        (they find them in their activity list, as for other scheduled activities).
        """
        self.flush_recordset(["state", "activity_id"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM crm_retention_touch"
                " WHERE id = ANY(%s) AND state = 'due' AND activity_id IS NULL ORDER BY id",
                self.ids,
            )
        )
        touches = self.browse(r[0] for r in self.env.cr.fetchall())
        if not touches:
            return
        notes = touches._retention_notes()
        summaries = {plan.id: plan.name for plan in touches.plan_id}
        self.env.cr.execute(
            SQL("SELECT nextval('mail_activity_id_seq') FROM generate_series(1, %s)", len(touches))
        )
        activity_ids = [r[0] for r in self.env.cr.fetchall()]
        self.env["mail.activity"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO mail_activity (
                    id, res_model_id, res_model, res_id, res_name, activity_type_id, user_id,
                    user_tz, summary, note, date_deadline, automated, active,
                    create_uid, create_date, write_uid, write_date)
                SELECT v.activity_id, %(model_id)s, 'res.partner', touch.partner_id,
                       partner.complete_name, plan.activity_type_id, touch.user_id,
                       assignee.tz, v.summary, v.note, touch.date_due, TRUE, TRUE,
                       %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
                  FROM unnest(%(touch)s::int[], %(activity)s::int[], %(summary)s::varchar[],
                              %(note)s::text[]) AS v(touch_id, activity_id, summary, note)
                  JOIN crm_retention_touch touch ON touch.id = v.touch_id
                  JOIN crm_retention_plan plan ON plan.id = touch.plan_id
                  JOIN res_partner partner ON partner.id = touch.partner_id
                  LEFT JOIN res_users users ON users.id = touch.user_id
                  LEFT JOIN res_partner assignee ON assignee.id = users.partner_id
                """,
                model_id=self.env["ir.model"]._get_id("res.partner"),
                uid=self.env.uid,
                touch=touches.ids,
                activity=activity_ids,
                summary=[summaries[touch.plan_id.id] for touch in touches],
                note=[str(notes[touch.id]) for touch in touches],
            )
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE crm_retention_touch touch SET activity_id = v.activity_id
                  FROM unnest(%s::int[], %s::int[]) AS v(touch_id, activity_id)
                 WHERE touch.id = v.touch_id
                """,
                touches.ids,
                activity_ids,
            )
        )
        self.env["mail.activity"].invalidate_model()
        self.env["res.partner"].invalidate_model(["activity_ids"])
        self.invalidate_model(["activity_id"])

    def _retention_notes(self):
        """Why (segment, churn risk, value, last purchase) and what to offer, per touch.

        A few queries for all the touches: the insights, the overdue invoices,
        the warranties expiring within 60 days and the bought-together
        suggestions of the customers.
        """
        partners = self.partner_id
        today = fields.Date.context_today(self)
        notes = {}
        by_company = defaultdict(lambda: self.browse())
        for touch in self:
            by_company[touch.company_id] |= touch
        for company, touches in by_company.items():
            env = self.with_company(company).sudo().env
            insights = {
                i.partner_id.id: i
                for i in env["crm.customer.insight"].search(
                    [("partner_id", "in", partners.ids), ("company_id", "=", company.id)]
                )
            }
            overdue = {
                partner.id: (count, amount)
                for partner, count, amount in env["account.move"]._read_group(
                    [
                        ("commercial_partner_id", "in", partners.ids),
                        ("company_id", "=", company.id),
                        ("move_type", "=", "out_invoice"),
                        ("state", "=", "posted"),
                        ("payment_state", "in", ("not_paid", "partial")),
                        ("invoice_date_due", "<", today),
                    ],
                    ["commercial_partner_id"],
                    ["__count", "amount_residual_signed:sum"],
                )
            }
            expiring = defaultdict(list)
            for contract in env["crm.warranty.contract"].search(
                [
                    ("partner_id", "child_of", partners.ids),
                    ("company_id", "=", company.id),
                    ("date_end", ">=", today),
                    ("date_end", "<=", today + timedelta(days=60)),
                ]
            ):
                expiring[contract.partner_id.commercial_partner_id.id].append(contract)
            suggested = {
                partner.id: partner.insight_suggested_product_ids
                for partner in partners.with_env(env)
            }
            currency = company.currency_id
            for touch in touches:
                pid = touch.partner_id.id
                insight = insights.get(pid)
                why = [_("Plan: %(plan)s", plan=touch.plan_id.name)]
                if insight:
                    segment = dict(RFM_SEGMENTS).get(insight.rfm_segment)
                    why.append(_("Segment: %(segment)s", segment=segment))
                    if insight.prediction_state == "predicted":
                        why.append(
                            _(
                                "Churn risk: %(risk)s %%, 12-month value: %(value)s",
                                risk=round(insight.churn_probability, 1),
                                value=format_amount(env, insight.clv_12m, currency),
                            )
                        )
                    else:
                        why.append(_("No prediction yet"))
                    if insight.last_purchase_date:
                        why.append(
                            _(
                                "Last purchase: %(date)s",
                                date=format_date(env, insight.last_purchase_date),
                            )
                        )
                offer = []
                if suggested.get(pid):
                    offer.append(
                        _(
                            "Customers like this one also bought: %(products)s",
                            products=", ".join(suggested[pid][:5].mapped("display_name")),
                        )
                    )
                for contract in expiring.get(pid, []):
                    offer.append(
                        _(
                            "Warranty %(contract)s expires on %(date)s: offer a renewal",
                            contract=contract.display_name,
                            date=format_date(env, contract.date_end),
                        )
                    )
                if pid in overdue:
                    count, amount = overdue[pid]
                    offer.append(
                        _(
                            "%(count)s overdue invoices (%(amount)s): settle them first",
                            count=count,
                            amount=format_amount(env, amount, currency),
                        )
                    )
                if not offer:
                    offer.append(_("Nothing particular to offer: ask what they need next."))
                notes[touch.id] = Markup(
                    "<p><b>%s</b></p><ul>%s</ul><p><b>%s</b></p><ul>%s</ul>"
                ) % (
                    _("Why"),
                    Markup().join(Markup("<li>%s</li>") % escape(line) for line in why),
                    _("What to offer"),
                    Markup().join(Markup("<li>%s</li>") % escape(line) for line in offer),
                )
        return notes


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """Marking a retention activity done marks its touch done."""
        touches = (
            self.env["crm.retention.touch"]
            .sudo()
            .search([("activity_id", "in", self.ids), ("state", "=", "due")])
        )
        if touches:
            touches.write({"state": "done", "date_done": fields.Date.context_today(self)})
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
