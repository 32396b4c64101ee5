from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    insight_lookback_months = fields.Integer(
        related="company_id.insight_lookback_months", readonly=False
    )
    insight_churn_horizon_days = fields.Integer(
        related="company_id.insight_churn_horizon_days", readonly=False
    )
    insight_min_purchases = fields.Integer(
        related="company_id.insight_min_purchases", readonly=False
    )
