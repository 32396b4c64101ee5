from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # -- credit control --

    # -- sales cycles and qualification --

    # -- warranties --

    # -- competitors --

    # -- customer 360 --
