from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    competitor_required_on_lost = fields.Boolean(
        "Competitor Required on Lost Deals",
        help="Marking a deal as lost asks which competitor won it, and refuses "
        "to go on without an answer.",
    )
