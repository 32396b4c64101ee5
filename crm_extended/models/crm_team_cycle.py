from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    sales_cycle_id = fields.Many2one(
        "crm.sales.cycle",
        check_company=True,
        index="btree_not_null",
        help="Default sales cycle of the team's leads. Assigning one moves the team's "
        "open leads into it.",
    )

    def write(self, vals):
        if "sales_cycle_id" not in vals:
            return super().write(vals)
        changed = self.filtered(lambda team: team.sales_cycle_id.id != vals["sales_cycle_id"])
        res = super().write(vals)
        if changed and vals["sales_cycle_id"]:
            changed._move_open_leads_to_cycle()
        return res

    def _move_open_leads_to_cycle(self):
        """Open leads of the teams join the team's cycle: same stage when the cycle
        has it, else its first stage. Their stage history starts now."""
        Lead = self.env["crm.lead"]
        for team in self:
            cycle = team.sales_cycle_id
            leads = Lead.search(
                [
                    ("team_id", "=", team.id),
                    ("won_status", "=", "pending"),
                    ("sales_cycle_id", "!=", cycle.id),
                ]
            )
            if not leads:
                continue
            first = cycle._first_stage()
            keep = leads.filtered(lambda lead, cycle=cycle: lead.stage_id in cycle.stage_ids)
            if keep:
                keep._cycle_migrate(cycle)
            if leads - keep:
                (leads - keep)._cycle_migrate(cycle, first)
