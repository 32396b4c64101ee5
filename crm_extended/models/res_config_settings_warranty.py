from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    warranty_reminder_days = fields.Integer(
        related="company_id.warranty_reminder_days", readonly=False
    )
