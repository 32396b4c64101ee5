from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class CrmLeadGateOverride(models.TransientModel):
    """Explicit, logged way for a sales manager to force a lead past a stage gate."""

    _name = "crm.lead.gate.override"
    _inherit = ["crm.extended.input.guard"]
    _description = "Override a Sales Cycle Stage Gate"

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade")
    sales_cycle_id = fields.Many2one(related="lead_id.sales_cycle_id")
    current_stage_id = fields.Many2one(related="lead_id.stage_id", string="Current Stage")
    cycle_stage_ids = fields.Many2many(related="lead_id.cycle_stage_ids")
    stage_id = fields.Many2one(
        "crm.stage",
        string="Move to",
        required=True,
        domain="[('id', 'in', cycle_stage_ids)]",
    )
    reason = fields.Text(required=True)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_manager()
        return super().create(vals_list)

    def action_confirm(self):
        self.ensure_one()
        self._check_manager()
        lead = self.lead_id
        if not lead.sales_cycle_id:
            raise UserError(
                self.env._("This lead has no sales cycle: there is no gate to override.")
            )
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for overriding the stage gate."))
        old_stage = lead.stage_id
        lead._cycle_override_stage(self.stage_id)
        lead.message_post(
            body=self.env._(
                "Stage gate overridden by %(user)s: %(old)s → %(new)s. Reason: %(reason)s",
                user=self.env.user.name,
                old=old_stage.name,
                new=self.stage_id.name,
                reason=reason,
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}

    @api.model
    def _check_manager(self):
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(self.env._("Only sales managers can override a stage gate."))
