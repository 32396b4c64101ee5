from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    # -- credit control --

    # -- sales cycles and qualification --
    default_sales_cycle_id = fields.Many2one(
        "crm.sales.cycle", string="Default Sales Cycle",
        help="Cycle of new leads whose team has none. Empty: leads follow Odoo's pipeline.",
    )

    # -- warranties --
    warranty_reminder_days = fields.Integer(
        string="Warranty Reminder Days",
        default=30,
        help="Active warranty contracts ending within this many days get one renewal "
        "activity and one renewal e-mail to the customer (0 disables the reminders).",
    )

    _warranty_reminder_days_positive = models.Constraint(
        "CHECK(warranty_reminder_days >= 0)",
        "The warranty reminder days cannot be negative.",
    )

    # -- competitors --
    competitor_required_on_lost = fields.Boolean(
        "Competitor Required on Lost Deals",
        help="Marking a deal as lost asks which competitor won it, and refuses "
        "to go on without an answer.",
    )
