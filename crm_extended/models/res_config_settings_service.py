from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    service_response_hours_0 = fields.Float(
        related="company_id.service_response_hours_0", readonly=False
    )
    service_response_hours_1 = fields.Float(
        related="company_id.service_response_hours_1", readonly=False
    )
    service_response_hours_2 = fields.Float(
        related="company_id.service_response_hours_2", readonly=False
    )
    service_response_hours_3 = fields.Float(
        related="company_id.service_response_hours_3", readonly=False
    )
    service_rating_request = fields.Boolean(
        related="company_id.service_rating_request", readonly=False
    )
