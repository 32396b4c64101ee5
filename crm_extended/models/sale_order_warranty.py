from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    warranty_contract_ids = fields.One2many(
        "crm.warranty.contract", "sale_order_id", string="Warranty Contracts"
    )
    warranty_renewed_contract_ids = fields.One2many(
        "crm.warranty.contract",
        "renewal_order_id",
        string="Renewed Warranties",
        help="Warranty contracts this quotation renews.",
    )
    warranty_contract_count = fields.Integer(
        string="Warranties", compute="_compute_warranty_contract_count"
    )

    @api.depends("warranty_contract_ids")
    def _compute_warranty_contract_count(self):
        self.warranty_contract_count = 0
        Contract = self.env["crm.warranty.contract"]
        if not self.ids or not Contract.has_access("read"):
            return
        counts = dict(
            Contract._read_group(
                [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for order in self:
            order.warranty_contract_count = counts.get(order, 0)

    def action_view_warranty_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_extended.crm_warranty_contract_action"
        )
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {"create": False}
        if self.warranty_contract_count == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.warranty_contract_ids.id
        return action

    def _action_confirm(self):
        res = super()._action_confirm()
        self._warranty_create_contracts()
        return res

    def _action_cancel(self):
        res = super()._action_cancel()
        self._warranty_cancel_contracts()
        return res

    def _warranty_create_contracts(self):
        """Create the warranty contracts of confirmed orders.

        A renewal quotation creates only the successors of the contracts it
        renews; any other order one active contract per line of a product with
        a warranty. Confirming an order again reactivates its cancelled
        contracts instead of creating new ones.
        """
        Contract = self.env["crm.warranty.contract"].sudo()
        renewal_orders = self.filtered("warranty_renewed_contract_ids")
        renewal_orders._warranty_renew_contracts()
        orders = self - renewal_orders
        lines = orders.order_line.filtered(
            lambda sol: (
                not sol.display_type
                and not sol.is_downpayment
                and sol.product_uom_qty > 0
                and sol.product_id.warranty_months > 0
            )
        )
        if not lines:
            return
        existing = Contract.search(
            [("sale_line_id", "in", lines.ids), ("renewal_of_id", "=", False)]
        )
        existing_by_line = {contract.sale_line_id: contract for contract in existing}
        vals_list = []
        for line in lines:
            order = line.order_id
            date_start = fields.Date.context_today(self, order.date_order)
            date_end = Contract._warranty_end_date(date_start, line.product_id.warranty_months)
            contract = existing_by_line.get(line)
            if contract:
                if contract.state == "cancelled":
                    contract.write(
                        {"state": "active", "date_start": date_start, "date_end": date_end}
                    )
                continue
            vals_list.append(
                {
                    "partner_id": order.partner_id.id,
                    "product_id": line.product_id.id,
                    "quantity": line.product_uom_qty,
                    "sale_order_id": order.id,
                    "sale_line_id": line.id,
                    "date_start": date_start,
                    "date_end": date_end,
                    "warranty_type": "standard",
                    "state": "active",
                    "user_id": (order.user_id or self.env.user).id,
                    "company_id": order.company_id.id,
                    "currency_id": order.currency_id.id,
                }
            )
        if vals_list:
            Contract.create(vals_list)

    def _warranty_renew_contracts(self):
        Contract = self.env["crm.warranty.contract"].sudo()
        renewed = self.sudo().warranty_renewed_contract_ids
        successors = Contract.search([("renewal_of_id", "in", renewed.ids)])
        renewed_now = Contract
        vals_list = []
        for old in renewed:
            if old.renewal_order_id not in self:
                continue
            successor = successors.filtered(
                lambda c, old=old: (
                    c.renewal_of_id == old and c.sale_order_id == old.renewal_order_id
                )
            )[:1]
            if successor:
                if successor.state == "cancelled":
                    successor.state = "active"
            elif old.state in ("active", "expired"):
                vals_list.append(old._warranty_successor_values(old.renewal_order_id))
            else:
                continue
            old.state = "renewed"
            renewed_now |= old
        if vals_list:
            Contract.create(vals_list)
        renewed_now._warranty_close_renewal_activities()

    def _warranty_cancel_contracts(self):
        """Cancel the contracts of cancelled orders; a cancelled renewal gives
        the renewed contract back its previous state."""
        contracts = self.sudo().warranty_contract_ids.filtered(
            lambda c: c.state in ("draft", "active", "expired")
        )
        contracts.write({"state": "cancelled"})
        today = fields.Date.context_today(self)
        for old in self.sudo().warranty_renewed_contract_ids.filtered(
            lambda c: c.state == "renewed"
        ):
            old.state = "expired" if old.date_end < today else "active"
