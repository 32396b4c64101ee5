from odoo import models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _check_amount_and_confirm_order(self):
        """Online payment: a quotation blocked by credit control is not confirmed.

        The payment is recorded as usual and the order stays a quotation
        waiting for a credit controller (no error reaches the payment's
        post-processing nor the customer); approving it confirms it.
        """
        held = self.browse()
        for tx in self:
            if len(tx.sale_order_ids) != 1:
                continue
            quotation = tx.sale_order_ids.filtered(lambda so: so.state in ("draft", "sent"))
            if (
                quotation
                and quotation._is_confirmation_amount_reached()
                and quotation._credit_hold_online_acceptance()
            ):
                held |= tx
        return super(PaymentTransaction, self - held)._check_amount_and_confirm_order()
