from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # -- credit control --

    # -- sales cycles and qualification --

    # -- warranties --

    # -- competitors --
    competitor_required_on_lost = fields.Boolean(
        related="company_id.competitor_required_on_lost", readonly=False
    )
