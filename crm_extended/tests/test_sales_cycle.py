from datetime import timedelta
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.sql_db import Cursor
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .cycle_common import SalesCycleCommon
from .query_count import count_queries


@tagged("post_install", "-at_install")
class TestSalesCycle(SalesCycleCommon):
    # ------------------------------------------------------------------
    # defaults and core behaviour
    # ------------------------------------------------------------------
    def test_company_default_cycle_empty_after_install(self):
        self.assertFalse(self.env.ref("base.main_company").default_sales_cycle_id)
        self.assertTrue(self.env.ref("crm_extended.crm_sales_cycle_b2b").won_stage_id.is_won)
        b2b = self.env.ref("crm_extended.crm_sales_cycle_b2b")
        self.assertEqual(
            b2b.stage_line_ids.stage_id.mapped("name"),
            ["Qualification", "Needs analysis", "Proposal", "Negotiation", "Won"],
        )
        self.assertEqual(b2b.stage_line_ids[0].questionnaire_id.name, "BANT")
        b2c = self.env.ref("crm_extended.crm_sales_cycle_b2c")
        self.assertEqual(b2c.stage_line_ids.stage_id.mapped("name"), ["New", "Offer", "Won"])

    def test_new_lead_takes_team_cycle_first_stage(self):
        lead = self._lead()
        self.assertEqual(lead.sales_cycle_id, self.cycle)
        self.assertEqual(lead.stage_id, self.stage_1)
        self.assertEqual(lead.probability, 10)
        self.assertEqual(len(lead.stage_history_ids), 1)
        self.assertEqual(lead.stage_history_ids.stage_id, self.stage_1)
        self.assertFalse(lead.stage_history_ids.date_out)
        self.assertEqual(lead.stage_exit_criteria, "Qualified with BANT")

    def test_company_default_cycle_used_without_team_cycle(self):
        lead = self._lead(team=self.team_plain)
        self.assertFalse(lead.sales_cycle_id)
        self.env.company.default_sales_cycle_id = self.cycle_open
        lead = self._lead(team=self.team_plain)
        self.assertEqual(lead.sales_cycle_id, self.cycle_open)
        self.assertEqual(lead.stage_id, self.stage_a)

    def test_lead_without_cycle_behaves_as_core(self):
        lead = self._lead(team=self.team_plain)
        core_first = (
            self.env["crm.lead"]
            .browse()
            ._stage_find(team_id=self.team_plain.id, domain=[("fold", "=", False)])
        )
        self.assertEqual(lead.stage_id, core_first)
        self.assertFalse(lead.stage_id.sales_cycle_only)
        self.assertFalse(lead.stage_history_ids)
        # any stage may be written, gates do not exist
        lead.with_user(self.salesman).write({"stage_id": self.stage_3.id})
        self.assertEqual(lead.stage_id, self.stage_3)
        lead.action_set_won()
        self.assertFalse(lead.stage_id.sales_cycle_only)
        self.assertTrue(lead.stage_id.is_won)

    def test_lead_without_cycle_probability_as_core(self):
        """Core's rules only: the probability follows the automated one while it is
        automated, a typed one survives stage changes, and no history is kept."""
        core_stage_2 = self.env.ref("crm.stage_lead2")
        core_stage_3 = self.env.ref("crm.stage_lead3")
        lead = self._lead(team=self.team_plain)
        self.assertFalse(lead.sales_cycle_id)
        self.assertEqual(lead.probability, lead.automated_probability)
        lead.write({"stage_id": core_stage_2.id})
        self.assertEqual(lead.probability, lead.automated_probability)
        lead.write({"probability": 33})
        lead.write({"stage_id": core_stage_3.id})
        # a cycle lead would take its cycle stage's probability here
        self.assertEqual(lead.probability, 33)
        self.assertFalse(lead.is_automated_probability)
        self.assertFalse(lead.sales_cycle_stage_id)
        self.assertFalse(lead.stage_history_ids)
        self.assertFalse(
            self.env["crm.lead.stage.history"].search_count([("lead_id", "=", lead.id)])
        )

    def test_lead_without_cycle_assignment_costs_no_addon_query(self):
        """Assigning leads without a cycle (team and salesperson: the lead's
        company is recomputed) never queries the addon's tables, so core's query
        budgets (lead assignment) hold."""
        leads = self.env["crm.lead"].create(
            [
                {"name": f"T plain {i}", "type": "lead", "team_id": False, "user_id": False}
                for i in range(5)
            ]
        )
        self.assertFalse(leads.sales_cycle_id)
        self.env.flush_all()
        self.env.invalidate_all()
        queries = []
        real_execute = Cursor.execute

        def spy(cr, query, params=None, log_exceptions=None):
            queries.append(str(getattr(query, "code", query)))
            return real_execute(cr, query, params, log_exceptions)

        with patch.object(Cursor, "execute", spy):
            leads.write({"team_id": self.team_plain.id, "user_id": self.salesman.id})
            leads.convert_opportunity(self.env["res.partner"])
            self.env.flush_all()
        addon_tables = (
            "crm_lead_competitor",
            "crm_lead_qualification",
            "crm_lead_stage_history",
            "crm_sales_cycle",
        )
        addon_queries = [q for q in queries if any(table in q for table in addon_tables)]
        self.assertEqual(addon_queries, [])
        self.assertFalse(leads.sales_cycle_id)
        self.assertEqual(set(leads.mapped("type")), {"opportunity"})

    # ------------------------------------------------------------------
    # stage rules
    # ------------------------------------------------------------------
    def test_stage_outside_cycle_refused(self):
        plain = self._lead(team=self.team_plain)
        plain.with_user(self.salesman).write({"stage_id": self.env.ref("crm.stage_lead2").id})
        lead = self._lead()
        with self.assertRaises(UserError):
            lead.with_user(self.salesman).write({"stage_id": self.env.ref("crm.stage_lead2").id})
        with self.assertRaises(UserError):
            self._lead(stage_id=self.env.ref("crm.stage_lead2").id)

    def test_gate_blocks_forward_move_for_everyone(self):
        lead = self._lead()
        # the salesman may otherwise write the stage (no gate in the open cycle)
        other = self._lead(team=self.team_open)
        other.with_user(self.salesman).write({"stage_id": self.stage_b.id})
        self.assertEqual(other.stage_id, self.stage_b)

        for env_lead in (
            lead.with_user(self.salesman),
            lead.with_user(self.manager),
            lead.sudo(),
            lead.with_env(self.env),  # superuser
            lead.with_context(crm_extended_cycle_token=True),
            lead.with_context(crm_extended_cycle_token={"kind": "override"}),
            lead.with_context(crm_extended_cycle_token="override"),
        ):
            with self.assertRaises(UserError):
                env_lead.write({"stage_id": self.stage_2.id})
        with self.assertRaises(UserError):
            lead.with_user(self.salesman).write({"stage_id": self.stage_3.id})
        with self.assertRaises(UserError):
            self._lead(stage_id=self.stage_3.id)
        self.assertEqual(lead.stage_id, self.stage_1)

    def test_gate_needs_min_score_and_pass(self):
        lead = self._lead()
        self._qualify(lead, self.opt_maybe, self.opt_soon)  # 62.5: passed, but < 70
        self.assertEqual(lead.qualification_status, "qualified")
        with self.assertRaises(UserError):
            lead.with_user(self.salesman).write({"stage_id": self.stage_2.id})
        self._qualify(lead, self.opt_yes, self.opt_later)  # 75
        lead.with_user(self.salesman).write({"stage_id": self.stage_3.id})
        self.assertEqual(lead.stage_id, self.stage_3)
        self.assertEqual(lead.probability, 70)

    def test_gate_latest_disqualification_blocks(self):
        lead = self._lead()
        self._qualify(lead, self.opt_yes, self.opt_soon)
        self._qualify(lead, self.opt_no, self.opt_soon)  # disqualifying
        self.assertEqual(lead.qualification_status, "disqualified")
        with self.assertRaises(UserError):
            lead.with_user(self.salesman).write({"stage_id": self.stage_2.id})

    def test_backward_always_allowed(self):
        lead = self._lead()
        self._qualify(lead, self.opt_yes, self.opt_soon)
        lead.with_user(self.salesman).write({"stage_id": self.stage_3.id})
        self._qualify(lead, self.opt_no)
        lead.with_user(self.salesman).write({"stage_id": self.stage_2.id})
        lead.with_user(self.salesman).write({"stage_id": self.stage_1.id})
        self.assertEqual(lead.stage_id, self.stage_1)
        self.assertEqual(lead.probability, 10)

    def test_won_goes_to_cycle_won_stage_through_gates(self):
        lead = self._lead()
        with self.assertRaises(UserError):
            lead.with_user(self.salesman).action_set_won()
        self._qualify(lead, self.opt_yes)
        lead.with_user(self.salesman).action_set_won()
        self.assertEqual(lead.stage_id, self.stage_won)
        self.assertEqual(lead.won_status, "won")
        self.assertEqual(lead.probability, 100)
        other = self._lead(team=self.team_open)
        other.action_set_won()
        self.assertEqual(other.stage_id, self.stage_won_b)

    def test_lost_archives_where_it_stands(self):
        lead = self._lead(team=self.team_open)
        lead.write({"stage_id": self.stage_b.id})
        lead.action_set_lost()
        self.assertFalse(lead.active)
        self.assertEqual(lead.stage_id, self.stage_b)
        self.assertEqual(lead.won_status, "lost")
        lead.action_restore()
        self.assertEqual(lead.probability, 60)

    def test_change_cycle_moves_to_first_stage(self):
        lead = self._lead(team=self.team_open)
        lead.write({"stage_id": self.stage_b.id})
        lead.write({"sales_cycle_id": self.cycle.id})
        self.assertEqual(lead.stage_id, self.stage_1)
        self.assertEqual(lead.probability, 10)
        history = lead.stage_history_ids.sorted("id")
        self.assertEqual(history.stage_id, self.stage_a | self.stage_b | self.stage_1)
        self.assertEqual(history.sales_cycle_id, self.cycle_open | self.cycle)
        self.assertEqual(len(history.filtered(lambda h: not h.date_out)), 1)
        # entering a cycle at a later stage passes its gates
        lead2 = self._lead(team=self.team_open)
        with self.assertRaises(UserError):
            lead2.write({"sales_cycle_id": self.cycle.id, "stage_id": self.stage_2.id})

    def test_team_change_moves_lead_into_team_cycle(self):
        lead = self._lead(team=self.team_open)
        lead.write({"stage_id": self.stage_b.id})
        lead.write({"team_id": self.team.id})
        self.assertEqual(lead.sales_cycle_id, self.cycle)
        self.assertEqual(lead.stage_id, self.stage_1)

    def test_team_cycle_assignment_moves_open_leads(self):
        keep = self._lead(team=self.team_plain)
        keep.write({"stage_id": self.stage_3.id})
        first = self._lead(team=self.team_plain)
        won = self._lead(team=self.team_plain)
        won.action_set_won()
        self.assertFalse(keep.stage_history_ids)
        self.team_plain.with_user(self.manager).write({"sales_cycle_id": self.cycle.id})
        self.assertEqual(keep.sales_cycle_id, self.cycle)
        self.assertEqual(keep.stage_id, self.stage_3)
        self.assertEqual(first.sales_cycle_id, self.cycle)
        self.assertEqual(first.stage_id, self.stage_1)
        self.assertFalse(won.sales_cycle_id)
        self.assertEqual(keep.stage_history_ids.stage_id, self.stage_3)
        self.assertEqual(first.stage_history_ids.stage_id, self.stage_1)

    # ------------------------------------------------------------------
    # probability
    # ------------------------------------------------------------------
    def test_probability_follows_stage_typed_value_stays(self):
        lead = self._lead(team=self.team_open)
        self.assertEqual(lead.probability, 20)
        lead.write({"probability": 33})
        # predictive lead scoring recomputation keeps the typed value
        lead.write({"country_id": self.env.ref("base.be").id})
        lead._compute_probabilities()
        self.assertEqual(lead.probability, 33)
        lead.write({"stage_id": self.stage_b.id})
        self.assertEqual(lead.probability, 60)
        lead.write({"stage_id": self.stage_a.id, "probability": 45})
        self.assertEqual(lead.probability, 45)
        lead.write({"tag_ids": [Command.create({"name": "T tag"})]})
        self.assertEqual(lead.probability, 45)

    def test_probability_form_stage_change(self):
        lead = self._lead(team=self.team_open)
        with Form(lead.with_user(self.salesman)) as form:
            form.stage_id = self.stage_b
            self.assertEqual(form.probability, 60)
        self.assertEqual(lead.probability, 60)

    def test_lead_scoring_cron_keeps_cycle_probability(self):
        self.env["ir.config_parameter"].sudo().set_param("crm.pls_start_date", "2000-01-01")
        lead = self._lead(team=self.team_open)
        plain = self._lead(team=self.team_plain)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET probability = 33.0, automated_probability = 33.0 WHERE id IN %s",
            [(lead.id, plain.id)],
        )
        self.env.invalidate_all()
        self.env["crm.lead"]._update_automated_probabilities()
        self.assertNotEqual(plain.automated_probability, 33.0)
        # without a cycle, core aligns probability on the automated one
        self.assertEqual(plain.probability, plain.automated_probability)
        self.assertEqual(lead.probability, 33.0)

    # ------------------------------------------------------------------
    # stuck leads, pipeline
    # ------------------------------------------------------------------
    def test_stuck_flag_and_filter(self):
        stuck = self._lead()
        fresh = self._lead()
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET date_last_stage_update = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(days=6), stuck.id],
        )
        self.env.invalidate_all()
        self.assertTrue(stuck.is_stage_overdue)
        self.assertFalse(fresh.is_stage_overdue)
        # the salesman's "Stuck" filter
        Lead = self.env(user=self.salesman)["crm.lead"]
        found = Lead.search([("is_stage_overdue", "=", True), ("id", "in", (stuck | fresh).ids)])
        self.assertEqual(found, stuck)
        not_found = Lead.search(
            [("is_stage_overdue", "=", False), ("id", "in", (stuck | fresh).ids)]
        )
        self.assertEqual(not_found, fresh)

    def test_stuck_filter_is_a_condition_and_the_flag_costs_the_same_for_a_column(self):
        leads = self.env["crm.lead"]
        for _i in range(6):
            leads |= self._lead()
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET date_last_stage_update = %s WHERE id IN %s",
            [fields.Datetime.now() - timedelta(days=6), tuple(leads[:3].ids)],
        )
        Lead = self.env(user=self.salesman)["crm.lead"]
        Lead.search([("id", "=", leads[0].id)])  # the user's rules are loaded
        # the filter is a condition of the final query, not a list of the ids
        # of every stuck lead of the database fetched beforehand
        self.assertEqual(
            count_queries(self.env, lambda: Lead._search([("is_stage_overdue", "=", True)])), 0
        )

        # a kanban column reads the flag of its cards in the same queries
        def read(records):
            self.env.invalidate_all()
            records.fetch(["stage_id", "sales_cycle_id"])
            return count_queries(self.env, lambda: records.mapped("is_stage_overdue"))

        few, many = leads[2:4].with_user(self.salesman), leads.with_user(self.salesman)
        read(few)  # caches of rules
        self.assertEqual(read(few), read(many))
        self.assertEqual(many.filtered("is_stage_overdue"), leads[:3])
        # a lead being edited gets the same rule on its current values
        draft = Lead.new({"name": "New stuck", "stage_id": leads[0].stage_id.id,
                          "sales_cycle_id": leads[0].sales_cycle_id.id})  # fmt: skip
        draft.date_last_stage_update = fields.Datetime.now() - timedelta(days=6)
        self.assertTrue(draft.is_stage_overdue)
        draft.date_last_stage_update = fields.Datetime.now()
        self.assertFalse(draft.is_stage_overdue)

    def test_kanban_group_expand_shows_cycle_stages(self):
        # the salesman's pipeline
        Lead = self.env(user=self.salesman)["crm.lead"]
        Stage = Lead.env["crm.stage"]
        self._lead()
        stages = Lead._read_group_stage_ids(Stage, [("sales_cycle_id", "=", self.cycle.id)])
        self.assertEqual(stages, self.stage_1 | self.stage_2 | self.stage_3 | self.stage_won)
        self.assertEqual(
            stages.ids, [self.stage_1.id, self.stage_2.id, self.stage_3.id, self.stage_won.id]
        )
        stages = Lead._read_group_stage_ids(
            Stage,
            ["&", ("type", "=", "opportunity"), ("sales_cycle_id", "in", [self.cycle_open.id])],
        )
        self.assertEqual(stages, self.stage_a | self.stage_b | self.stage_won_b)
        # without a cycle: core columns, no cycle-only stage
        stages = Lead._read_group_stage_ids(Stage, [("type", "=", "opportunity")])
        self.assertFalse(stages.filtered("sales_cycle_only"))
        self.assertIn(self.env.ref("crm.stage_lead1"), stages)
        # the real grouped read of the kanban
        groups = Lead.with_context(read_group_expand=True).formatted_read_group(
            [("sales_cycle_id", "=", self.cycle.id)], ["stage_id"], ["__count"]
        )
        self.assertEqual(
            [group["stage_id"][0] for group in groups],
            [self.stage_1.id, self.stage_2.id, self.stage_3.id, self.stage_won.id],
        )

    # ------------------------------------------------------------------
    # override wizard
    # ------------------------------------------------------------------
    def test_gate_override_wizard_logged(self):
        lead = self._lead()
        Wizard = self.env["crm.lead.gate.override"]
        with self.assertRaises(AccessError):
            Wizard.with_user(self.salesman).create(
                {"lead_id": lead.id, "stage_id": self.stage_3.id, "reason": "x"}
            )
        wizard = Wizard.with_user(self.manager).create(
            {"lead_id": lead.id, "stage_id": self.stage_3.id, "reason": "Signed framework deal"}
        )
        wizard.action_confirm()
        self.assertEqual(lead.stage_id, self.stage_3)
        message = lead.message_ids[0]
        self.assertIn("Signed framework deal", message.body)
        self.assertIn(self.manager.name, message.body)
        self.assertEqual(message.author_id, self.manager.partner_id)
        # still no stage outside the cycle through the override
        wizard = Wizard.with_user(self.manager).create(
            {"lead_id": lead.id, "stage_id": self.env.ref("crm.stage_lead2").id, "reason": "x"}
        )
        with self.assertRaises(UserError):
            wizard.action_confirm()

    # ------------------------------------------------------------------
    # conversion
    # ------------------------------------------------------------------
    def test_conversion_requires_passed_qualification(self):
        partner = self.env["res.partner"].create({"name": "T Customer"})
        free = self._lead(team=self.team_open, type="lead")
        free.with_user(self.salesman).convert_opportunity(partner)
        self.assertEqual(free.type, "opportunity")

        lead = self._lead(type="lead")
        with self.assertRaises(UserError):
            lead.with_user(self.salesman).convert_opportunity(partner)
        with self.assertRaises(UserError):
            lead.with_user(self.salesman).write({"type": "opportunity"})
        with self.assertRaises(UserError):
            lead.sudo().convert_opportunity(partner)
        wizard = (
            self.env["crm.lead2opportunity.partner"]
            .with_user(self.salesman)
            .with_context(active_model="crm.lead", active_id=lead.id, active_ids=lead.ids)
            .create({"name": "convert", "action": "exist", "partner_id": partner.id})
        )
        with self.assertRaises(UserError):
            wizard.action_apply()
        self._qualify(lead, self.opt_maybe)  # 50 < pass score 60: failed
        with self.assertRaises(UserError):
            lead.with_user(self.salesman).convert_opportunity(partner)
        self._qualify(lead, self.opt_yes)
        wizard.action_apply()
        self.assertEqual(lead.type, "opportunity")

    # ------------------------------------------------------------------
    # configuration
    # ------------------------------------------------------------------
    def test_same_stage_twice_refused(self):
        cycle = self.cycle.with_user(self.manager)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            cycle.write(
                {"stage_line_ids": [Command.create({"stage_id": self.stage_2.id, "sequence": 2})]}
            )
            self.env.flush_all()

    def test_cycle_needs_exactly_one_won_stage_last(self):
        # the sales manager configures cycles
        Cycle = self.env(user=self.manager)["crm.sales.cycle"]
        cycle = self.cycle.with_env(Cycle.env)
        with self.assertRaises(ValidationError):
            Cycle.create(
                {
                    "name": "No won",
                    "stage_line_ids": [Command.create({"stage_id": self.stage_1.id})],
                }
            )
        with self.assertRaises(ValidationError):
            Cycle.create(
                {
                    "name": "Two won",
                    "stage_line_ids": [
                        Command.create({"sequence": 1, "stage_id": self.stage_won.id}),
                        Command.create({"sequence": 2, "stage_id": self.stage_won_b.id}),
                    ],
                }
            )
        with self.assertRaises(ValidationError):
            Cycle.create(
                {
                    "name": "Against the board",
                    "stage_line_ids": [
                        Command.create({"sequence": 1, "stage_id": self.stage_2.id}),
                        Command.create({"sequence": 2, "stage_id": self.stage_1.id}),
                        Command.create({"sequence": 3, "stage_id": self.stage_won.id}),
                    ],
                }
            )
        with self.assertRaises(ValidationError):
            cycle.stage_line_ids[1].probability = 120
        with self.assertRaises(ValidationError):
            cycle.write({"qualification_questionnaire_id": False})
        cycle.stage_line_ids[1].probability = 45  # a valid change goes through
        self.assertEqual(self.cycle.stage_line_ids[1].probability, 45)

    def test_pipeline_reordering_resequences_cycle(self):
        # the sales manager drags the stage after won: the cycle follows the board
        self.stage_2.with_user(self.manager).sequence = 950
        self.assertEqual(self.cycle.stage_line_ids.stage_id[-1], self.stage_2)

    def test_resequencing_costs_the_same_for_any_number_of_lines(self):
        Cycle = self.env["crm.sales.cycle"]
        Stage = self.env["crm.stage"]

        def cycles(count, lines):
            stages = Stage.create(
                [
                    {"name": f"R{i}", "sequence": 800 + i, "sales_cycle_only": True}
                    for i in range(lines)
                ]
            )
            batch = Cycle.create(
                [
                    {
                        "name": f"R cycle {n}",
                        "stage_line_ids": [
                            Command.create({"sequence": i, "stage_id": stage.id, "probability": 0})
                            for i, stage in enumerate(stages | self.stage_won)
                        ],
                    }
                    for n in range(count)
                ]
            )
            # the board's order reversed behind the cycles' back (no sync yet)
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE crm_stage SET sequence = 1700 - sequence WHERE id = ANY(%s)", [stages.ids]
            )
            return batch

        small, large = cycles(1, 3), cycles(6, 20)
        counts = {}
        for name, batch in (("small", small), ("large", large)):
            self.env.invalidate_all()
            counts[name] = count_queries(self.env, batch._sync_line_sequences)
            for cycle in batch:
                lines = cycle.stage_line_ids
                self.assertEqual(lines.mapped("sequence"), list(range(1, len(lines) + 1)))
                self.assertEqual(
                    lines.stage_id, lines.stage_id.sorted(lambda st: (st.sequence, st.id))
                )
                self.assertEqual(lines[-1].stage_id, self.stage_won)
        self.assertEqual(counts["small"], counts["large"])

    # ------------------------------------------------------------------
    # history and performance
    # ------------------------------------------------------------------
    def test_history_one_row_per_stay(self):
        lead = self._lead(team=self.team_open)
        lead.write({"stage_id": self.stage_b.id})
        lead.write({"stage_id": self.stage_a.id})
        lead.write({"stage_id": self.stage_b.id})
        lead.write({"name": "renamed"})
        history = lead.stage_history_ids.sorted("id")
        self.assertEqual(len(history), 4)
        self.assertEqual(
            [row.stage_id.id for row in history],
            [self.stage_a.id, self.stage_b.id, self.stage_a.id, self.stage_b.id],
        )
        self.assertTrue(all(history[:3].mapped("date_out")))
        self.assertFalse(history[3].date_out)
        self.assertEqual(history.user_id, self.salesman)

    def _batch_leads(self, count):
        leads = (
            self.env["crm.lead"]
            .create(
                [
                    {
                        "name": f"batch {i}",
                        "type": "opportunity",
                        "team_id": self.team_open.id,
                        "user_id": self.salesman.id,
                    }
                    for i in range(count)
                ]
            )
            .with_context(tracking_disable=True)
        )
        self.env.flush_all()
        self.env.invalidate_all()
        return leads

    def test_batch_stage_write_constant_queries(self):
        warm, small, large = self._batch_leads(3), self._batch_leads(5), self._batch_leads(60)
        counts = {}
        for stage in (self.stage_b, self.stage_a):  # forward, then back
            for name, leads in (("warm", warm), ("small", small), ("large", large)):
                self.env.invalidate_all()
                counts[name, stage] = count_queries(
                    self.env, lambda leads=leads, stage=stage: leads.write({"stage_id": stage.id})
                )
            self.assertEqual(counts["small", stage], counts["large", stage], stage.name)
        history = self.env["crm.lead.stage.history"].search([("lead_id", "in", large.ids)])
        self.assertEqual(len(history), 180)
        self.assertEqual(len(history.filtered(lambda h: not h.date_out)), 60)

    def test_history_logging_constant_queries(self):
        warm = self._batch_leads(3)
        small = self._batch_leads(10)
        large = self._batch_leads(250)  # beyond the ORM's batches of 100 rows
        warm._cycle_log_history()
        self.env.invalidate_all()
        small_count = count_queries(self.env, small._cycle_log_history)
        self.env.invalidate_all()
        large_count = count_queries(self.env, large._cycle_log_history)
        self.assertEqual(small_count, large_count)
        self.assertEqual(len(large.stage_history_ids), 500)
        self.assertEqual(len(large.stage_history_ids.filtered(lambda h: not h.date_out)), 250)


@tagged("post_install", "-at_install")
class TestSalesCycleRoles(SalesCycleCommon):
    """Who may change the configuration, and company B's cycle kept from company A."""

    def test_salesman_reads_configuration_only_manager_changes_it(self):
        """Cycles, their stages, questionnaires, questions and options are the
        sales manager's to configure; salespeople read them (the pipeline, the
        Qualify dialog) and change nothing."""
        records = [
            (self.cycle, "name", "T Gated renamed"),
            (self.cycle.stage_line_ids[1], "max_days", 9),
            (self.questionnaire, "pass_score", 55.0),
            (self.q_budget, "weight", 2.0),
            (self.opt_maybe, "score", 40.0),
        ]
        for record, field, value in records:
            with self.subTest(model=record._name):
                as_salesman = record.with_user(self.salesman)
                self.assertEqual(as_salesman.read([field])[0][field], record[field])
                with self.assertRaises(AccessError):
                    as_salesman.write({field: value})
                with self.assertRaises(AccessError):
                    as_salesman.unlink()
                self.assertNotEqual(record[field], value)
                record.with_user(self.manager).write({field: value})
                self.assertEqual(record[field], value)
        new_cycle = {
            "name": "T New cycle",
            "stage_line_ids": [Command.create({"stage_id": self.stage_won.id})],
        }
        with self.assertRaises(AccessError):
            self.env(user=self.salesman)["crm.sales.cycle"].create(new_cycle)
        with self.assertRaises(AccessError):
            self.env(user=self.salesman)["crm.qualification.questionnaire"].create({"name": "T Q"})
        created = self.env(user=self.manager)["crm.sales.cycle"].create(new_cycle)
        self.assertEqual(created.stage_line_ids.stage_id, self.stage_won)
        # the gate override is the manager's too
        lead = self._lead()
        Override = self.env["crm.lead.gate.override"]
        vals = {"lead_id": lead.id, "stage_id": self.stage_2.id, "reason": "T reason"}
        with self.assertRaises(AccessError):
            Override.with_user(self.salesman).create(vals)
        # company B's manager may not override company A's leads
        with self.assertRaises(AccessError):
            Override.with_user(self.manager_b).create(vals).action_confirm()
        self.assertEqual(lead.stage_id, self.stage_1)
        Override.with_user(self.manager).create(vals).action_confirm()
        self.assertEqual(lead.stage_id, self.stage_2)

    def test_company_b_cycle_kept_from_company_a(self):
        """Company A's salesperson works with the shared cycles and his company's;
        company B's cycle, questionnaire, its leads' history and funnel stay
        company B's."""
        cycle_a = self.env["crm.sales.cycle"].create(
            {
                "name": "T Cycle A",
                "company_id": self.company_a.id,
                "stage_line_ids": [
                    Command.create({"sequence": 1, "stage_id": self.stage_a.id}),
                    Command.create({"sequence": 2, "stage_id": self.stage_won_b.id}),
                ],
            }
        )
        lead = self._lead(team=self.team_plain)
        Cycle = lead.env["crm.sales.cycle"]
        readable = Cycle.search([("id", "in", (self.cycle | cycle_a | self.cycle_b).ids)])
        self.assertEqual(readable, self.cycle | cycle_a)
        lead.write({"sales_cycle_id": cycle_a.id})
        self.assertEqual(lead.stage_id, self.stage_a)
        with self.assertRaises(AccessError):
            self.cycle_b.with_user(self.salesman).read(["name"])
        with self.assertRaises(UserError):
            lead.write({"sales_cycle_id": self.cycle_b.id})
        self.assertEqual(lead.sales_cycle_id, cycle_a)
        # qualifying with the shared questionnaire, never with company B's
        Qualification = lead.env["crm.lead.qualification"]
        Qualification.create({"lead_id": lead.id, "questionnaire_id": self.questionnaire.id})
        with self.assertRaises(AccessError):
            self.questionnaire_b.with_user(self.salesman).read(["name"])
        with self.assertRaises(UserError):
            Qualification.create({"lead_id": lead.id, "questionnaire_id": self.questionnaire_b.id})

        # company B's manager works in cycle B: a lead, its qualification and history
        lead_b = self._lead(team=self.team_b, user=self.manager_b)
        self.assertEqual((lead_b.company_id, lead_b.sales_cycle_id), (self.company_b, self.cycle_b))
        qualification_b = lead_b.env["crm.lead.qualification"].create(
            {"lead_id": lead_b.id, "questionnaire_id": self.questionnaire_b.id}
        )
        self.assertEqual(qualification_b.answer_ids.question_id, self.questionnaire_b.question_ids)
        history_b = lead_b.stage_history_ids
        self.assertEqual(history_b.stage_id, self.stage_a)
        funnel_b = lead_b.env["crm.sales.funnel.report"].search(
            [("sales_cycle_id", "=", self.cycle_b.id)]
        )
        self.assertEqual(funnel_b.stage_id, self.stage_a | self.stage_won_b)
        self.assertIn(lead_b, funnel_b.lead_id)
        # company A's salesperson who reads every lead reads none of it
        env_a = self.env(user=self.salesman_all)
        for records in (lead_b, qualification_b, qualification_b.answer_ids, history_b):
            with self.subTest(model=records._name):
                self.assertFalse(env_a[records._name].search([("id", "in", records.ids)]))
                with self.assertRaises(AccessError):
                    records.with_env(env_a).read(["display_name"])
        self.assertFalse(
            env_a["crm.sales.funnel.report"].search([("sales_cycle_id", "=", self.cycle_b.id)])
        )
        # while his company's history and funnel are his to read
        self.assertEqual(
            env_a["crm.lead.stage.history"].search([("lead_id", "=", lead.id)]).stage_id,
            self.stage_a,
        )
        self.assertEqual(
            env_a["crm.sales.funnel.report"].search([("sales_cycle_id", "=", cycle_a.id)]).stage_id,
            self.stage_a | self.stage_won_b,
        )
