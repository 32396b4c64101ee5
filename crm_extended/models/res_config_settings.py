from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # -- credit control --
    credit_hold_block_on_limit = fields.Boolean(
        related="company_id.credit_hold_block_on_limit", readonly=False
    )
    credit_hold_warning_percent = fields.Float(
        related="company_id.credit_hold_warning_percent", readonly=False
    )
    credit_hold_overdue_days = fields.Integer(
        related="company_id.credit_hold_overdue_days", readonly=False
    )
    credit_controller_id = fields.Many2one(
        related="company_id.credit_controller_id", readonly=False
    )

    # -- sales cycles and qualification --
    company_default_sales_cycle_id = fields.Many2one(
        related="company_id.default_sales_cycle_id",
        readonly=False,
        domain="['|', ('company_id', '=', False), ('company_id', '=', company_id)]",
    )

    # -- warranties --
    warranty_reminder_days = fields.Integer(
        related="company_id.warranty_reminder_days", readonly=False
    )

    # -- competitors --
    competitor_required_on_lost = fields.Boolean(
        related="company_id.competitor_required_on_lost", readonly=False
    )

    def action_open_credit_settings(self):
        """Open the Settings on the Invoicing app, where Credit Control is.

        Like Odoo's own links to another app's settings: the ``module`` key of
        the context selects the app shown (the current app otherwise).
        """
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_account_config")
        action["context"] = {"module": "account", "bin_size": False}
        return action
