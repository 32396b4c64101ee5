from odoo import api, fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # -- credit control --

    # -- sales cycles and qualification --

    # -- warranties --

    # -- competitors --

    # -- customer 360 --
