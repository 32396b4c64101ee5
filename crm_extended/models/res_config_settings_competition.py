from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    competitor_required_on_lost = fields.Boolean(
        related="company_id.competitor_required_on_lost", readonly=False
    )
