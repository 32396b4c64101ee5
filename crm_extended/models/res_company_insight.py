from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    insight_lookback_months = fields.Integer(
        "Insight Look-back (Months)",
        default=24,
        help="Customer insights and product affinities use the invoices and orders "
        "of this many months back.",
    )
    insight_churn_horizon_days = fields.Integer(
        "Churn Horizon (Days)",
        default=90,
        help="Expected purchases are counted over this many days ahead.",
    )
    insight_min_purchases = fields.Integer(
        "Minimum Purchases for Predictions",
        default=2,
        help="Customers with fewer purchase days are shown as 'Not enough history' "
        "instead of getting a segment and predictions.",
    )

    _insight_lookback_months_positive = models.Constraint(
        "CHECK(insight_lookback_months > 0)",
        "The insight look-back must be at least one month.",
    )
    _insight_churn_horizon_days_positive = models.Constraint(
        "CHECK(insight_churn_horizon_days > 0)",
        "The churn horizon must be at least one day.",
    )
    _insight_min_purchases_positive = models.Constraint(
        "CHECK(insight_min_purchases > 0)",
        "The minimum number of purchases must be at least one.",
    )
