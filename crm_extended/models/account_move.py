from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    # -- credit control --

    # -- sales cycles and qualification --

    # -- warranties --

    # -- competitors --

    # -- customer 360 --
