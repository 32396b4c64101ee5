from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    # -- credit control --

    # -- sales cycles and qualification --

    # -- warranties --

    # -- competitors --
