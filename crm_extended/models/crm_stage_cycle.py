from odoo import fields, models


class CrmStage(models.Model):
    _inherit = "crm.stage"

    sales_cycle_only = fields.Boolean(
        string="Sales Cycles Only",
        help="Only shown in the pipelines of the sales cycles using it, never for leads "
        "without a cycle.",
    )
    sales_cycle_line_ids = fields.One2many("crm.sales.cycle.stage", "stage_id")

    def write(self, vals):
        res = super().write(vals)
        if "sequence" in vals:
            cycles = self.sales_cycle_line_ids.cycle_id
            if cycles:
                cycles.sudo()._sync_line_sequences()
        return res
