from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    default_sales_cycle_id = fields.Many2one(
        "crm.sales.cycle",
        help="Cycle of new leads whose team has none. Empty: leads follow Odoo's pipeline.",
    )
