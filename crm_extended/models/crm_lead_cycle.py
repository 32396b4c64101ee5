"""Sales cycles and qualification on crm.lead (the competitor feature's
extension of crm.lead is ``crm_lead_competition.py``)."""

from collections import defaultdict
from contextlib import contextmanager

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools.field_access import check_search

QUALIFICATION_STATUS = [
    ("none", "Not Qualified"),
    ("in_progress", "In Progress"),
    ("qualified", "Qualified"),
    ("disqualified", "Disqualified"),
]

# fields whose change may move a lead to another cycle or stage
_CYCLE_TRIGGER_FIELDS = {"stage_id", "sales_cycle_id", "team_id", "user_id", "type"}

# Trusted stage moves (see ``_cycle_trust_moves``): a manager's gate override
# skips the qualification gates; a team's leads joining its new cycle skip every
# cycle check and keep their stage.
CYCLE_MOVE_OVERRIDE = "override"
CYCLE_MOVE_MIGRATION = "migration"
# key of the trusted moves in ``cr.cache``: {lead id: kind}, for this transaction
_TRUSTED_MOVES_KEY = "crm_extended.cycle_trusted_moves"


class CrmLead(models.Model):
    _inherit = "crm.lead"

    sales_cycle_id = fields.Many2one(
        "crm.sales.cycle",
        string="Sales Cycle",
        index="btree_not_null",
        compute="_compute_sales_cycle_id",
        store=True,
        readonly=False,
        precompute=True,
        copy=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
        help="The ordered stages this lead goes through. Defaults to the team's cycle, "
        "else the company's default cycle.",
    )
    sales_cycle_stage_id = fields.Many2one(
        "crm.sales.cycle.stage", string="Cycle Stage", compute="_compute_sales_cycle_stage_id"
    )
    cycle_stage_ids = fields.Many2many(related="sales_cycle_id.stage_ids", string="Cycle Stages")
    stage_exit_criteria = fields.Text(
        string="Exit Criteria", compute="_compute_sales_cycle_stage_id"
    )
    stage_max_days = fields.Integer(
        string="Maximum Days in Stage", compute="_compute_sales_cycle_stage_id"
    )
    is_stage_overdue = fields.Boolean(
        string="Stuck in Stage",
        compute="_compute_is_stage_overdue",
        search="_search_is_stage_overdue",
        help="The lead stays in its stage longer than the cycle allows.",
    )
    # stage whose cycle probability was last applied (co-computed with probability)
    cycle_probability_stage_id = fields.Many2one(
        "crm.stage",
        compute="_compute_probabilities",
        store=True,
        readonly=True,
        copy=False,
        export_string_translation=False,
    )
    cycle_left_by_id = fields.Many2one(
        "res.users",
        string="Taken Out of Cycle By",
        readonly=True,
        copy=False,
        help="The sales manager who took this lead out of its sales cycle.",
    )
    stage_history_ids = fields.One2many("crm.lead.stage.history", "lead_id", string="Stage History")
    qualification_ids = fields.One2many(
        "crm.lead.qualification", "lead_id", string="Qualifications"
    )
    qualification_count = fields.Integer(compute="_compute_qualification")
    qualification_score = fields.Float(
        compute="_compute_qualification", help="Score of the latest done qualification."
    )
    qualification_status = fields.Selection(
        QUALIFICATION_STATUS,
        compute="_compute_qualification",
        search="_search_qualification_status",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("team_id")
    def _compute_sales_cycle_id(self):
        for lead in self:
            cycle = lead.team_id.sales_cycle_id or lead.sales_cycle_id
            if not cycle:
                cycle = (lead.company_id or self.env.company).default_sales_cycle_id
            lead.sales_cycle_id = cycle

    @api.depends("team_id", "type", "sales_cycle_id")
    def _compute_stage_id(self):
        in_cycle = self.filtered("sales_cycle_id")
        for lead in in_cycle:
            if not lead.stage_id or lead.stage_id not in lead.sales_cycle_id.stage_ids:
                lead.stage_id = lead.sales_cycle_id._first_stage()
        super(CrmLead, self - in_cycle)._compute_stage_id()

    @api.depends(
        "sales_cycle_id.stage_line_ids.stage_id",
        "sales_cycle_id.stage_line_ids.exit_criteria",
        "sales_cycle_id.stage_line_ids.max_days",
        "stage_id",
    )
    def _compute_sales_cycle_stage_id(self):
        # the lines of all the leads' cycles at once, looked up by (cycle, stage)
        lines = {}
        for line in self.sales_cycle_id.stage_line_ids:
            lines.setdefault((line.cycle_id, line.stage_id), line)
        empty = self.env["crm.sales.cycle.stage"]
        for lead in self:
            line = lines.get((lead.sales_cycle_id, lead.stage_id), empty)
            lead.sales_cycle_stage_id = line
            lead.stage_exit_criteria = line.exit_criteria
            lead.stage_max_days = line.max_days

    def _compute_probabilities(self):
        """Cycle leads take their cycle stage's probability on each stage change;
        in between, the stored probability (possibly typed by the salesperson) is
        kept: predictive lead scoring only updates ``automated_probability``."""
        cycle_leads = self.filtered("sales_cycle_id")
        before = {
            lead.id: (lead.probability, lead.cycle_probability_stage_id) for lead in cycle_leads
        }
        super()._compute_probabilities()
        for lead in cycle_leads:
            probability, applied_stage = before[lead.id]
            line = lead.sales_cycle_stage_id
            if lead.active and line and not lead.stage_id.is_won:
                if lead.stage_id != applied_stage:
                    lead.probability = line.probability
                else:
                    lead.probability = probability
            lead.cycle_probability_stage_id = lead.stage_id

    @api.depends("sales_cycle_stage_id", "date_last_stage_update", "active", "won_status")
    def _compute_is_stage_overdue(self):
        # saved leads: the search's condition, one query for all of them (a
        # kanban column reads it for each card); leads being edited in a form:
        # the same rule on their current values
        stored = self.filtered("id")
        overdue = set()
        if stored:
            overdue = set(
                self.with_context(active_test=False)._search(
                    [("id", "in", stored.ids), ("is_stage_overdue", "=", True)]
                )
            )
        now = fields.Datetime.now()
        for lead in self - stored:
            max_days = lead.sales_cycle_stage_id.max_days
            lead.is_stage_overdue = bool(
                max_days
                and lead.active
                and lead.won_status == "pending"
                and lead.date_last_stage_update
                and (now - lead.date_last_stage_update).total_seconds() > max_days * 86400
            )
        for lead in stored:
            lead.is_stage_overdue = lead.id in overdue

    def _search_is_stage_overdue(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        check_search(self, "is_stage_overdue", operator, value)
        self.env["crm.sales.cycle.stage"].flush_model(["cycle_id", "stage_id", "max_days"])
        self.flush_model(
            ["sales_cycle_id", "stage_id", "date_last_stage_update", "active", "won_status"]
        )

        # a condition on each lead's own row (an index lookup of its cycle's
        # stage), not a list of every overdue lead's id
        def to_sql(model, alias, query):
            return SQL(
                """%(active)s AND %(won_status)s = 'pending' AND EXISTS (
                       SELECT 1 FROM crm_sales_cycle_stage line
                        WHERE line.cycle_id = %(cycle)s AND line.stage_id = %(stage)s
                          AND line.max_days > 0
                          AND %(since)s < %(now)s - line.max_days * INTERVAL '1 day')""",
                active=model._field_to_sql(alias, "active", query),
                won_status=model._field_to_sql(alias, "won_status", query),
                cycle=model._field_to_sql(alias, "sales_cycle_id", query),
                stage=model._field_to_sql(alias, "stage_id", query),
                since=model._field_to_sql(alias, "date_last_stage_update", query),
                now=fields.Datetime.now(),
            )

        domain = Domain.custom(to_sql=to_sql, predicate=lambda lead: lead.is_stage_overdue)
        positive = (operator == "in") == (True in value)
        return domain if positive else ~domain

    @api.depends(
        "qualification_ids.state",
        "qualification_ids.passed",
        "qualification_ids.score",
        "qualification_ids.date",
    )
    def _compute_qualification(self):
        # saved leads: their qualifications in one query, latest first
        stored = self.filtered("id")
        of_lead = defaultdict(list)
        if stored:
            for qualification in self.env["crm.lead.qualification"].search_fetch(
                [("lead_id", "in", stored.ids)],
                ["lead_id", "state", "passed", "score", "date"],
                order="date desc, id desc",
            ):
                of_lead[qualification.lead_id.id].append(qualification)
        for lead in self:
            if lead.id:
                qualifications = of_lead[lead.id]
            else:
                qualifications = lead.qualification_ids.sorted(
                    lambda q: (q.date, q.id), reverse=True
                )
            latest = qualifications[0] if qualifications else None
            latest_done = next((q for q in qualifications if q.state == "done"), None)
            lead.qualification_count = len(qualifications)
            lead.qualification_score = latest_done.score if latest_done else 0.0
            if not latest:
                lead.qualification_status = "none"
            elif latest.state == "draft":
                lead.qualification_status = "in_progress"
            elif latest.passed:
                lead.qualification_status = "qualified"
            else:
                lead.qualification_status = "disqualified"

    def _search_qualification_status(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        check_search(self, "qualification_status", operator, value)
        statuses = tuple(str(status) for status in value if status)
        if not statuses:
            return Domain(operator == "not in")
        self.env["crm.lead.qualification"].flush_model(["lead_id", "state", "passed", "date"])

        # the status of each lead's latest qualification (index on lead_id), as
        # the compute derives it: a condition, not a list of ids of all leads
        def to_sql(model, alias, query):
            return SQL(
                """COALESCE((
                       SELECT CASE WHEN q.state = 'draft' THEN 'in_progress'
                                   WHEN q.passed THEN 'qualified'
                                   ELSE 'disqualified' END
                         FROM crm_lead_qualification q
                        WHERE q.lead_id = %s
                     ORDER BY q.date DESC, q.id DESC
                        LIMIT 1), 'none') IN %s""",
                model._field_to_sql(alias, "id", query),
                statuses,
            )

        domain = Domain.custom(
            to_sql=to_sql, predicate=lambda lead: lead.qualification_status in statuses
        )
        return domain if operator == "in" else ~domain

    @api.onchange("sales_cycle_id")
    def _onchange_sales_cycle_id_stage(self):
        """A new deal's form: a default stage outside its cycle (a pipeline
        column's) gives way to the cycle's first stage, so the status bar shows
        the cycle only."""
        for lead in self:
            cycle = lead.sales_cycle_id
            if cycle and lead.stage_id not in cycle.stage_ids:
                lead.stage_id = cycle._first_stage()

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        """The pipeline of a cycle is that cycle: its columns are the stages of
        the cycles of the board (a cycle in the domain or the context, else the
        cycles of the board's teams: ``default_team_id``, and the user's teams
        for "My Pipeline"), in the cycle's order; core's columns are added only
        for a team of the board without a cycle. Stages holding cards stay."""
        cycles, plain_teams, generic = self._pipeline_cycles(domain)
        result = super()._read_group_stage_ids(stages, domain)
        if not cycles:
            return result.filtered(lambda stage: not stage.sales_cycle_only or stage in stages)
        stage_ids = set(cycles.sudo().stage_line_ids.stage_id.ids)
        if plain_teams or generic:
            stage_ids.update(
                result.filtered(
                    lambda stage: (
                        not stage.sales_cycle_only
                        and (
                            not stage.team_ids
                            if generic and not plain_teams
                            else not stage.team_ids or stage.team_ids & plain_teams
                        )
                    )
                ).ids
            )
        # the board's own columns first (the first one takes the "New" button's
        # quick create), then the other stages still holding cards
        columns = stages.sudo()._search([("id", "in", list(stage_ids))], order=stages._order)
        others = stages.sudo()._search(
            [("id", "in", stages.ids), ("id", "not in", list(stage_ids))], order=stages._order
        )
        return stages.browse([*columns, *others])

    @api.model
    def formatted_read_group(
        self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None
    ):
        """A cycle's pipeline folds the columns its cycle folds."""
        groups = super().formatted_read_group(
            domain, groupby, aggregates, having=having, offset=offset, limit=limit, order=order
        )
        if tuple(groupby) != ("stage_id",) or not self.env.context.get("read_group_expand"):
            return groups
        cycles = self._pipeline_cycles(domain)[0]
        if not cycles:
            return groups
        folds = defaultdict(list)
        for line in cycles.sudo().stage_line_ids:
            folds[line.stage_id.id].append(line.fold)
        for group in groups:
            value = group.get("stage_id")
            stage_id = value[0] if isinstance(value, (list, tuple)) else value
            if "__fold" in group and stage_id in folds:
                group["__fold"] = all(folds[stage_id])
        return groups

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model
    def default_get(self, fields):
        """A lead created from a cycle's pipeline (``default_sales_cycle_id``)
        goes to a team using that cycle, the salesperson's own first: in a team
        without it, it would carry the cycle's stages into that team's pipeline."""
        values = super().default_get(fields)
        cycle_id = self.env.context.get("default_sales_cycle_id")
        if (
            "team_id" in fields
            and isinstance(cycle_id, int)
            and cycle_id
            and not self.env.context.get("default_team_id")
        ):
            team = self._cycle_default_team(
                self.env["crm.sales.cycle"].browse(cycle_id),
                self.env["res.users"].browse(values.get("user_id")) or self.env.user,
            )
            if team:
                values["team_id"] = team.id
        return values

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        cycle_leads = leads.filtered("sales_cycle_id")
        if cycle_leads:
            cycle_leads._cycle_default_stage_to_first()
            cycle_leads._cycle_check_moves({lead.id: (False, False) for lead in cycle_leads})
            cycle_leads._cycle_log_history(close=False)
        return leads

    def write(self, vals):
        if "cycle_left_by_id" in vals:
            raise UserError(
                self.env._("Only taking a lead out of its sales cycle records who did it.")
            )
        if not self or not _CYCLE_TRIGGER_FIELDS & vals.keys():
            return super().write(vals)
        leaving = self.browse()
        if "sales_cycle_id" in vals and not vals["sales_cycle_id"]:
            leaving = self.filtered("sales_cycle_id")
            if leaving:
                leaving._cycle_check_leave()
                vals = dict(vals, cycle_left_by_id=self.env.uid)
        if vals.get("type") == "opportunity":
            self.filtered(lambda lead: lead.type == "lead")._check_conversion_qualification()
        old = {lead.id: (lead.sales_cycle_id, lead.stage_id) for lead in self}
        if "probability" in vals and vals.get("stage_id"):
            # the probability typed together with the stage change wins
            vals = dict(vals, cycle_probability_stage_id=vals["stage_id"])
        res = super().write(vals)
        self._cycle_after_write(old, "stage_id" in vals)
        for lead in leaving:
            lead.message_post(
                body=self.env._(
                    "%(user)s took this lead out of the sales cycle “%(cycle)s”.",
                    user=self.env.user.name,
                    cycle=old[lead.id][0].name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return res

    def _cycle_check_leave(self):
        """A lead leaves its sales cycle only by a sales manager's explicit act:
        out of its cycle, no stage gate applies to it any more."""
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise UserError(
                self.env._(
                    "“%(lead)s” cannot be taken out of its sales cycle “%(cycle)s”: only a "
                    "sales manager can do that. Move it to another team or stage instead.",
                    lead=self[:1].name,
                    cycle=self[:1].sales_cycle_id.name,
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_set_won(self):
        """Core sends each lead to a won stage among those of ``_stage_find``,
        which are the cycle's own stages when the leads share one cycle: core
        runs once per cycle, so every lead reaches its own cycle's won stage
        (through the gates, which ``write`` checks)."""
        by_cycle = defaultdict(lambda: self.browse())
        for lead in self:
            by_cycle[lead.sales_cycle_id] |= lead
        if len(by_cycle) <= 1:
            return super().action_set_won()
        for leads in by_cycle.values():
            super(CrmLead, leads).action_set_won()
        return True

    def action_restore(self):
        res = super().action_restore()
        for lead in self.filtered("sales_cycle_stage_id"):
            if not lead.stage_id.is_won:
                lead.probability = lead.sales_cycle_stage_id.probability
        return res

    def action_set_automated_probability(self):
        """In a cycle, one probability: the cycle stage's, not the predictive one."""
        self.ensure_one()
        line = self.sales_cycle_stage_id
        if not line:
            return super().action_set_automated_probability()
        self.write({"probability": line.probability})
        return True

    def action_qualify(self):
        self.ensure_one()
        cycle = self.sales_cycle_id
        questionnaire = cycle.qualification_questionnaire_id or next(
            (line.questionnaire_id for line in cycle.stage_line_ids if line.questionnaire_id),
            self.env["crm.qualification.questionnaire"],
        )
        if not questionnaire:
            raise UserError(
                self.env._("The sales cycle of this lead has no qualification questionnaire.")
            )
        # reopen the draft left open on this questionnaire rather than piling up drafts
        Qualification = self.env["crm.lead.qualification"]
        qualification = Qualification.search(
            [
                ("lead_id", "=", self.id),
                ("questionnaire_id", "=", questionnaire.id),
                ("state", "=", "draft"),
            ],
            order="id desc",
            limit=1,
        ) or Qualification.create({"lead_id": self.id, "questionnaire_id": questionnaire.id})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Qualification"),
            "res_model": "crm.lead.qualification",
            "res_id": qualification.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def action_view_qualifications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_extended.crm_lead_qualification_action"
        )
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id, "create": False}
        return action

    def action_open_gate_override(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Override Stage Gate"),
            "res_model": "crm.lead.gate.override",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_lead_id": self.id},
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _cycle_default_team(self, cycle, user):
        """The team of ``user`` using ``cycle``, else the first team using it."""
        teams = self.env["crm.team"].search(
            [
                ("sales_cycle_id", "=", cycle.id),
                ("company_id", "in", [False, *self.env.companies.ids]),
            ]
        )
        mine = teams.filtered(lambda team: user in (team.member_ids | team.user_id))
        return (mine or teams)[:1]

    def _cycle_default_stage_to_first(self):
        """A stage that is only the context's default (the pipeline column a
        deal is quick-created in, or the first column of a board) and is not a
        stage of the lead's cycle gives way to the cycle's first stage: what
        was typed is kept, the deal lands in its cycle."""
        default_stage = self.env.context.get("default_stage_id")
        if not isinstance(default_stage, int) or not default_stage:
            return
        to_first = defaultdict(lambda: self.browse())
        for lead in self:
            cycle = lead.sales_cycle_id
            if lead.stage_id.id == default_stage and lead.stage_id not in cycle.stage_ids:
                to_first[cycle] |= lead
        for cycle, leads in to_first.items():
            super(CrmLead, leads).write({"stage_id": cycle._first_stage().id})

    def _cycle_after_write(self, old, explicit_stage):
        migrated = self._cycle_trusted_moves(CYCLE_MOVE_MIGRATION)
        if not explicit_stage:
            # a lead changing cycle starts again at the new cycle's first stage
            to_first = defaultdict(lambda: self.browse())
            for lead in self - migrated:
                cycle = lead.sales_cycle_id
                if cycle and cycle != old[lead.id][0] and lead.stage_id != cycle._first_stage():
                    to_first[cycle] |= lead
            for cycle, leads in to_first.items():
                super(CrmLead, leads).write({"stage_id": cycle._first_stage().id})
        moved = self.filtered(
            lambda lead: (
                (lead.sales_cycle_id or old[lead.id][0])
                and (lead.sales_cycle_id, lead.stage_id) != old[lead.id]
            )
        )
        if not moved:
            return
        (moved - migrated)._cycle_check_moves(old)
        moved._cycle_log_history(close=True)

    def _cycle_check_moves(self, old):
        """Check that every lead of ``self`` may go from its old (cycle, stage)
        to its current one: the stage must belong to the cycle, and a forward
        move past a gated stage needs a passed qualification (unless a manager
        overrides the gate, see ``_cycle_override_stage``)."""
        overridden = self._cycle_trusted_moves(CYCLE_MOVE_OVERRIDE)
        gated = []
        positions = {}
        for lead in self:
            cycle = lead.sales_cycle_id
            if not cycle:
                continue
            if cycle not in positions:
                positions[cycle] = {
                    line.stage_id: index for index, line in enumerate(cycle.stage_line_ids)
                }
            index_of = positions[cycle]
            if lead.stage_id not in index_of:
                raise UserError(
                    self.env._(
                        "The stage “%(stage)s” is not part of the sales cycle “%(cycle)s” of “%(lead)s”.",
                        stage=lead.stage_id.name or "",
                        cycle=cycle.name,
                        lead=lead.name,
                    )
                )
            if lead in overridden:
                continue
            old_cycle, old_stage = old.get(lead.id, (False, False))
            start = index_of.get(old_stage, 0) if old_cycle == cycle else 0
            for line in cycle.stage_line_ids[start : index_of[lead.stage_id]]:
                gated.extend((lead, *gate) for gate in line._gates())
        if not gated:
            return
        latest = self._cycle_latest_qualifications(
            self.env["crm.qualification.questionnaire"].union(
                *(questionnaire for _lead, _stage, questionnaire, _score in gated)
            )
        )
        for lead, stage, questionnaire, min_score in gated:
            qualification = latest.get((lead.id, questionnaire.id))
            if not qualification or not qualification.passed or qualification.score < min_score:
                raise UserError(
                    self.env._(
                        "“%(lead)s” cannot leave the stage “%(stage)s” forward: it needs a passed "
                        "qualification “%(questionnaire)s” with a score of at least %(score)s. "
                        "Open the deal and use its Qualify button.",
                        lead=lead.name,
                        stage=stage.name,
                        questionnaire=questionnaire.name,
                        score=min_score,
                    )
                )

    @contextmanager
    def _cycle_trust_moves(self, kind):
        """Trust the stage moves of the leads of ``self`` inside the block.

        ``kind`` is ``CYCLE_MOVE_OVERRIDE`` (the qualification gates are skipped,
        the stage must still belong to the cycle) or ``CYCLE_MOVE_MIGRATION``
        (no cycle check, the stage is kept). The permission is plain data kept
        for the current transaction in ``cr.cache``, which only server code
        reaches: the context, which any RPC caller fills, grants nothing. A
        rollback, even to a savepoint, clears it: the moves are then checked as
        any other.
        """
        moves = self.env.cr.cache.setdefault(_TRUSTED_MOVES_KEY, {})
        previous = {lead_id: moves.get(lead_id) for lead_id in self.ids}
        moves.update(dict.fromkeys(self.ids, kind))
        try:
            yield
        finally:
            # after a rollback the registry is a new one: nothing to restore
            moves = self.env.cr.cache.get(_TRUSTED_MOVES_KEY, {})
            for lead_id, kind_before in previous.items():
                if kind_before:
                    moves[lead_id] = kind_before
                else:
                    moves.pop(lead_id, None)

    def _cycle_trusted_moves(self, kind):
        """The leads of ``self`` whose stage moves are trusted as ``kind``."""
        moves = self.env.cr.cache.get(_TRUSTED_MOVES_KEY)
        if not moves:
            return self.browse()
        return self.filtered(lambda lead: moves.get(lead.id) == kind)

    def _cycle_override_stage(self, stage):
        """Move the leads to ``stage`` of their cycle past its qualification
        gates: the manager's gate override wizard, which checks the rights and
        logs who and why."""
        with self._cycle_trust_moves(CYCLE_MOVE_OVERRIDE):
            self.write({"stage_id": stage.id})

    def _cycle_migrate(self, cycle, stage=None):
        """Move the leads into ``cycle`` at their current stage, or at ``stage``,
        without cycle checks: the open leads of a team that gets a new cycle."""
        vals = {"sales_cycle_id": cycle.id}
        if stage:
            vals["stage_id"] = stage.id
        with self._cycle_trust_moves(CYCLE_MOVE_MIGRATION):
            self.write(vals)

    def _cycle_latest_qualifications(self, questionnaires):
        """Latest done qualification per (lead id, questionnaire id), one query."""
        qualifications = (
            self.env["crm.lead.qualification"]
            .sudo()
            .search(
                [
                    ("lead_id", "in", self.ids),
                    ("questionnaire_id", "in", questionnaires.ids),
                    ("state", "=", "done"),
                ],
                order="date desc, id desc",
            )
        )
        latest = {}
        for qualification in qualifications:
            key = (qualification.lead_id.id, qualification.questionnaire_id.id)
            latest.setdefault(key, qualification)
        return latest

    def _cycle_log_history(self, close=True):
        """Close the open stays and open new ones: two queries for any batch."""
        History = self.env["crm.lead.stage.history"].sudo()
        now = self.env.cr.now()
        if close:
            History._close_open_rows(self.ids, now)
        History._open_rows(self, now)
        if overridden := self._cycle_trusted_moves(CYCLE_MOVE_OVERRIDE):
            # the stay a manager's gate override began is marked as such
            History.search([("lead_id", "in", overridden.ids), ("date_out", "=", False)]).write(
                {"gate_override": True}
            )

    def _check_conversion_qualification(self):
        leads = self.filtered(lambda lead: lead.sales_cycle_id.require_qualification)
        if not leads:
            return
        latest = leads._cycle_latest_qualifications(
            leads.sales_cycle_id.qualification_questionnaire_id
        )
        for lead in leads:
            questionnaire = lead.sales_cycle_id.qualification_questionnaire_id
            qualification = latest.get((lead.id, questionnaire.id))
            if not qualification or not qualification.passed:
                raise UserError(
                    self.env._(
                        "“%(lead)s” cannot be converted into an opportunity: its sales cycle "
                        "“%(cycle)s” requires a passed qualification “%(questionnaire)s”. "
                        "Use the lead's Qualify button first.",
                        lead=lead.name,
                        cycle=lead.sales_cycle_id.name,
                        questionnaire=questionnaire.name,
                    )
                )

    def convert_opportunity(self, partner, user_ids=False, team_id=False):
        self.filtered(
            lambda lead: lead.active and lead.type == "lead" and lead.won_status != "won"
        )._check_conversion_qualification()
        return super().convert_opportunity(partner, user_ids=user_ids, team_id=team_id)

    def _stage_find(self, team_id=False, domain=None, order="sequence, id", limit=1):
        cycles = self.sales_cycle_id
        if self and len(cycles) == 1 and all(lead.sales_cycle_id for lead in self):
            stages = cycles.stage_line_ids.stage_id
            if domain:
                stages = stages.filtered_domain(domain)
            return stages[:limit] if limit else stages
        domain = list(domain or []) + [("sales_cycle_only", "=", False)]
        return super()._stage_find(team_id=team_id, domain=domain, order=order, limit=limit)

    @api.model
    def _pipeline_cycles(self, domain):
        """The cycles whose stages are the columns of the pipeline read with
        ``domain`` and the current context, the board's teams without a cycle,
        and whether the board is that of a user without a team (its new deals
        then take the company's default cycle, if any)."""
        Team = self.env["crm.team"]
        cycles = self._cycles_in_domain(domain)
        if cycles:
            return cycles, Team, False
        context = self.env.context
        teams = Team
        team_id = context.get("default_team_id")
        if isinstance(team_id, int) and team_id:
            teams |= Team.browse(team_id)
        generic = False
        if context.get("show_user_team_stages"):
            teams |= self.env.user.crm_team_ids
            generic = not self.env.user.crm_team_ids
        plain_teams = Team
        for team in teams.sudo().exists():
            cycle = (
                team.sales_cycle_id or (team.company_id or self.env.company).default_sales_cycle_id
            )
            if cycle:
                cycles |= cycle
            else:
                plain_teams |= team
        if generic and self.env.company.default_sales_cycle_id:
            cycles |= self.env.company.default_sales_cycle_id
            generic = False
        return cycles.with_env(self.env), plain_teams.with_env(self.env), generic

    @api.model
    def _cycles_in_domain(self, domain):
        Cycle = self.env["crm.sales.cycle"]
        cycles = Cycle
        context_cycle = self.env.context.get("default_sales_cycle_id")
        if isinstance(context_cycle, int):
            cycles |= Cycle.browse(context_cycle)
        for condition in Domain(domain or []).iter_conditions():
            if condition.field_expr != "sales_cycle_id":
                continue
            value = condition.value
            if condition.operator in ("=", "in"):
                values = value if isinstance(value, (list, tuple, set)) else [value]
                cycles |= Cycle.browse([v for v in values if isinstance(v, int)])
            elif condition.operator in ("ilike", "=ilike", "like") and isinstance(value, str):
                cycles |= Cycle.search([("name", condition.operator, value)])
        return cycles.exists()

    def _pls_get_naive_bayes_probabilities(self, batch_mode=False, is_tooltip=False):
        """The batch mode is core's scoring job (``_update_automated_probabilities``),
        whose raw UPDATE also aligns ``probability`` on the new score. Cycle leads
        keep their cycle's probability: they are left out of the job's batch and
        recomputed by the ORM, batch by batch, through ``_compute_probabilities``,
        which updates their score only."""
        cycle_leads = self.filtered("sales_cycle_id") if batch_mode else self.browse()
        if cycle_leads:
            self.env.add_to_compute(self._fields["automated_probability"], cycle_leads)
            cycle_leads.flush_recordset(["automated_probability", "probability"])
            if cycle_leads == self:
                return {}, {}  # core answers a bare dict for no lead, its job unpacks two
        return super(CrmLead, self - cycle_leads)._pls_get_naive_bayes_probabilities(
            batch_mode=batch_mode, is_tooltip=is_tooltip
        )
