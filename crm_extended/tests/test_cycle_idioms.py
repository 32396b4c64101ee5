"""Sales cycles work with Odoo rather than around it: core's ``action_set_won``
and lead scoring job run for cycle leads, and a trusted stage move (gate
override, team migration) cannot be faked through the context."""

import json
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import HttpCase, get_db_name, tagged
from odoo.tools import mute_logger

from odoo.addons.crm.models.crm_lead import CrmLead as CoreCrmLead

from .cycle_common import SalesCycleCommon


def forged_contexts(lead, user):
    """Contexts a JSON-RPC caller may send to pass as a trusted stage move."""
    return [
        {"cycle_override": True},
        {"cycle_migration": True},
        {"cycle_move_kind": "override"},
        {"cycle_move_kind": "migration"},
        {"crm_extended_cycle_token": {"kind": "override", "user_id": user.id, "reason": "x"}},
        {"crm_extended_cycle_token": "migration"},
        {"crm_extended.cycle_trusted_moves": {str(lead.id): "override"}},
        {"crm_extended.cycle_trusted_moves": [lead.id]},
    ]


@tagged("post_install", "-at_install")
class TestCycleIdioms(SalesCycleCommon):
    # ------------------------------------------------------------------
    # trusted moves cannot be forged
    # ------------------------------------------------------------------
    def test_forged_context_does_not_pass_the_gate(self):
        # the salesman may move a lead forward where no gate stands
        free = self._lead(team=self.team_open)
        free.with_user(self.salesman).write({"stage_id": self.stage_b.id})
        self.assertEqual(free.stage_id, self.stage_b)

        lead = self._lead()
        as_salesman = lead.with_user(self.salesman)
        for context in forged_contexts(lead, self.manager):
            with self.subTest(context=context), self.assertRaises(UserError):
                as_salesman.with_context(**context).write({"stage_id": self.stage_2.id})
        self.assertEqual(lead.stage_id, self.stage_1)

    def test_forged_context_does_not_fake_a_migration(self):
        for context in forged_contexts(self.env["crm.lead"], self.manager):
            with self.subTest(context=context):
                lead = self._lead(team=self.team_open)
                lead.write({"stage_id": self.stage_b.id})
                as_salesman = lead.with_user(self.salesman).with_context(**context)
                # entering a gated cycle past its gate stays refused
                with self.assertRaises(UserError):
                    as_salesman.write(
                        {"sales_cycle_id": self.cycle.id, "stage_id": self.stage_3.id}
                    )
                # and a lead changing cycle starts at the new cycle's first stage
                as_salesman.write({"sales_cycle_id": self.cycle.id})
                self.assertEqual(lead.stage_id, self.stage_1)

    def test_override_wizard_trust_ends_with_the_move(self):
        lead = self._lead()
        wizard = (
            self.env["crm.lead.gate.override"]
            .with_user(self.manager)
            .create({"lead_id": lead.id, "stage_id": self.stage_3.id, "reason": "Framework deal"})
        )
        wizard.action_confirm()
        self.assertEqual(lead.stage_id, self.stage_3)
        self.assertEqual(lead.probability, 70)
        self.assertEqual(lead.stage_history_ids.sorted("id").stage_id, self.stage_1 | self.stage_3)
        # back to the gated stage: passing it again needs a qualification
        as_salesman = lead.with_user(self.salesman)
        as_salesman.write({"stage_id": self.stage_1.id})
        with self.assertRaises(UserError):
            as_salesman.write({"stage_id": self.stage_2.id})
        # the override trusts the chosen lead only, in the same transaction
        other = self._lead()
        with self.assertRaises(UserError):
            other.with_user(self.manager).write({"stage_id": self.stage_2.id})

    def test_refused_override_leaves_no_trust_behind(self):
        lead = self._lead()
        wizard = (
            self.env["crm.lead.gate.override"]
            .with_user(self.manager)
            .create(
                {
                    "lead_id": lead.id,
                    "stage_id": self.env.ref("crm.stage_lead2").id,
                    "reason": "Not in the cycle",
                }
            )
        )
        with self.assertRaises(UserError):
            wizard.action_confirm()
        with self.assertRaises(UserError):
            lead.with_user(self.salesman).write({"stage_id": self.stage_2.id})
        self.assertEqual(lead.stage_id, self.stage_1)

    def test_team_migration_trusts_its_own_move_only(self):
        past_gate = self._lead(team=self.team_plain)
        past_gate.write({"stage_id": self.stage_3.id})
        fresh = self._lead(team=self.team_plain)
        self.team_plain.with_user(self.manager).write({"sales_cycle_id": self.cycle.id})
        # migrated without qualification, at its stage or the first one
        self.assertEqual(past_gate.sales_cycle_id, self.cycle)
        self.assertEqual(past_gate.stage_id, self.stage_3)
        self.assertEqual(fresh.stage_id, self.stage_1)
        # afterwards the gates hold for the migrated leads
        with self.assertRaises(UserError):
            fresh.with_user(self.salesman).write({"stage_id": self.stage_2.id})
        past_gate.with_user(self.salesman).write({"stage_id": self.stage_1.id})
        with self.assertRaises(UserError):
            past_gate.with_user(self.salesman).write({"stage_id": self.stage_3.id})

    # ------------------------------------------------------------------
    # core's action_set_won runs for every lead
    # ------------------------------------------------------------------
    def test_set_won_runs_core_for_leads_of_several_cycles(self):
        gated = self._lead()
        self._qualify(gated, self.opt_yes)
        gated_2 = self._lead()
        self._qualify(gated_2, self.opt_yes, self.opt_soon)
        gated_2.write({"stage_id": self.stage_3.id})
        open_lead = self._lead(team=self.team_open)
        plain = self._lead(team=self.team_plain)
        plain.action_set_lost()
        leads = gated | gated_2 | open_lead | plain

        calls = []
        core_set_won = CoreCrmLead.action_set_won

        def spy(records):
            calls.append(records)
            return core_set_won(records)

        with patch.object(CoreCrmLead, "action_set_won", spy):
            self.assertTrue(leads.with_user(self.salesman).action_set_won())
        self.assertEqual(self.env["crm.lead"].union(*calls), leads)
        self.assertEqual(len(calls), 3, "core runs once per cycle (and once without)")
        self.assertEqual((gated | gated_2).stage_id, self.stage_won)
        self.assertEqual(open_lead.stage_id, self.stage_won_b)
        self.assertTrue(plain.active, "core restores the lost lead")
        self.assertTrue(plain.stage_id.is_won)
        self.assertFalse(plain.stage_id.sales_cycle_only)
        self.assertEqual(set(leads.mapped("won_status")), {"won"})
        self.assertEqual(set(leads.mapped("probability")), {100})
        self.assertEqual(gated.stage_history_ids.sorted("id")[-1:].stage_id, self.stage_won)

    def test_set_won_one_cycle_is_one_core_call(self):
        leads = self._lead(team=self.team_open) | self._lead(team=self.team_open)
        with patch.object(
            CoreCrmLead, "action_set_won", autospec=True, side_effect=CoreCrmLead.action_set_won
        ) as core_set_won:
            leads.action_set_won()
        core_set_won.assert_called_once()
        self.assertEqual(leads.stage_id, self.stage_won_b)

    # ------------------------------------------------------------------
    # lead scoring
    # ------------------------------------------------------------------
    def test_scoring_job_scores_cycle_leads_and_keeps_their_probability(self):
        self.env["ir.config_parameter"].sudo().set_param("crm.pls_start_date", "2000-01-01")
        lead = self._lead(team=self.team_open)
        typed = self._lead(team=self.team_open)
        typed.probability = 45
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET probability = 33.0, automated_probability = 33.0 WHERE id = %s",
            [lead.id],
        )
        self.env.invalidate_all()
        expected, _tooltip = (lead | typed)._pls_get_naive_bayes_probabilities()
        self.assertNotEqual(expected[lead.id], 33.0)
        self.env["crm.lead"]._update_automated_probabilities()
        self.assertEqual(lead.automated_probability, expected[lead.id])
        self.assertEqual(lead.probability, 33.0)
        self.assertEqual(typed.automated_probability, expected[typed.id])
        self.assertEqual(typed.probability, 45)
        # the stage still sets the cycle's probability afterwards
        lead.write({"stage_id": self.stage_b.id})
        self.assertEqual(lead.probability, 60)

    def test_scoring_batch_of_cycle_leads_only(self):
        """Core's job unpacks two values from each batch, even when every lead
        of the batch is left to the ORM."""
        leads = self._lead(team=self.team_open) | self._lead()
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET automated_probability = 1.0 WHERE id IN %s", [tuple(leads.ids)]
        )
        self.env.invalidate_all()
        self.assertEqual(leads._pls_get_naive_bayes_probabilities(batch_mode=True), ({}, {}))
        expected, _tooltip = leads._pls_get_naive_bayes_probabilities()
        self.assertEqual(
            leads.mapped("automated_probability"), [expected[lead.id] for lead in leads]
        )
        self.assertEqual(leads.mapped("probability"), [20, 10])


@tagged("post_install", "-at_install")
class TestCycleGateJson2(HttpCase, SalesCycleCommon):
    """The context of an external call is JSON: whatever it carries, the gate holds."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        key = (
            cls.env["res.users.apikeys"]
            .with_user(cls.salesman)
            ._generate(scope="rpc", name="T cycle", expiration_date=datetime.now() + timedelta(1))
        )
        cls.headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {key}",
            "X-Odoo-Database": get_db_name(),
        }

    def _write(self, lead, vals, context):
        return self.url_open(
            "/json/2/crm.lead/write",
            data=json.dumps({"ids": lead.ids, "vals": vals, "context": context}),
            headers=self.headers,
        )

    def test_json2_forged_context_does_not_pass_the_gate(self):
        free = self._lead(team=self.team_open)
        response = self._write(free, {"stage_id": self.stage_b.id}, {})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(free.stage_id, self.stage_b)

        lead = self._lead()
        for context in forged_contexts(lead, self.manager):
            with self.subTest(context=context), mute_logger("odoo.http"):
                response = self._write(lead, {"stage_id": self.stage_2.id}, context)
            self.assertEqual(response.status_code, 422, response.text)
            self.assertEqual(response.json()["name"], "odoo.exceptions.UserError")
        self.assertEqual(lead.stage_id, self.stage_1)

    def test_json2_cannot_call_the_trusted_moves(self):
        lead = self._lead()
        for method, params in (
            ("_cycle_override_stage", {"stage": self.stage_3.id}),
            ("_cycle_migrate", {"cycle": self.cycle.id, "stage": self.stage_3.id}),
        ):
            with self.subTest(method=method), mute_logger("odoo.http"):
                response = self.url_open(
                    f"/json/2/crm.lead/{method}",
                    data=json.dumps({"ids": lead.ids, **params}),
                    headers=self.headers,
                )
            self.assertEqual(response.status_code, 403, response.text)
        self.assertEqual(lead.stage_id, self.stage_1)
