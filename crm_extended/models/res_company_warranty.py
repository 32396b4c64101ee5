from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    warranty_reminder_days = fields.Integer(
        default=30,
        help="Active warranty contracts ending within this many days get one renewal "
        "activity and one renewal e-mail to the customer (0 disables the reminders).",
    )

    _warranty_reminder_days_positive = models.Constraint(
        "CHECK(warranty_reminder_days >= 0)",
        "The warranty reminder days cannot be negative.",
    )
