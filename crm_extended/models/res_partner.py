from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # -- credit control --

    # -- sales cycles and qualification --

    # -- warranties --

    # -- competitors --

    # -- customer 360 --
