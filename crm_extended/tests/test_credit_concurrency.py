from unittest.mock import patch

import psycopg2.errors

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.crm_extended.models.crm_credit_guard import CrmCreditGuard


@tagged("post_install", "-at_install")
class TestCreditConcurrency(TransactionCase):
    """Two real transactions confirming orders for the same customer.

    The test cursor cannot see uncommitted data of other cursors, so the data
    is committed through separate cursors and removed in the cleanup.
    """

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create(
                {"name": "Concurrent Credit Customer", "is_company": True, "credit_limit": 100.0}
            )
            product = env["product.product"].create(
                {
                    "name": "Concurrent credit product",
                    "list_price": 60.0,
                    "taxes_id": [Command.clear()],
                }
            )
            orders = env["sale.order"].create(
                [
                    {
                        "partner_id": partner.id,
                        "order_line": [
                            Command.create({"product_id": product.id, "tax_ids": [Command.clear()]})
                        ],
                    }
                    for _i in range(2)
                ]
            )
            self.partner_id, self.product_id, self.order_ids = partner.id, product.id, orders.ids
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            orders = env["sale.order"].browse(self.order_ids).exists()
            orders._action_cancel()
            orders.unlink()
            env["product.product"].browse(self.product_id).unlink()
            env["res.partner"].browse(self.partner_id).unlink()

    def _order_states(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return env["sale.order"].browse(self.order_ids).mapped("state")

    def _confirm_concurrently(self):
        """Both transactions take their snapshot, then confirm one after the other."""
        cr1, cr2 = self.registry.cursor(), self.registry.cursor()
        try:
            env1 = api.Environment(cr1, SUPERUSER_ID, {})
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            # each request's snapshot is taken at its first query
            cr1.execute("SELECT 1")
            cr2.execute("SELECT 1")
            env1["sale.order"].browse(self.order_ids[0]).action_confirm()
            cr1.commit()
            try:
                env2["sale.order"].browse(self.order_ids[1]).action_confirm()
                cr2.commit()
                return None
            except psycopg2.errors.SerializationFailure as error:
                cr2.rollback()
                return error
        finally:
            cr1.close()
            cr2.close()

    @mute_logger("odoo.sql_db")
    def test_second_confirmation_serialized_then_refused(self):
        error = self._confirm_concurrently()
        self.assertIsInstance(error, psycopg2.errors.SerializationFailure)
        self.assertEqual(self._order_states(), ["sale", "draft"], "nothing half-written")
        # Odoo's request layer retries the request in a new transaction,
        # which sees the first confirmation and refuses with the clear error
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            with self.assertRaises(UserError) as refusal:
                env["sale.order"].browse(self.order_ids[1]).action_confirm()
            cr.rollback()
        self.assertIn("Concurrent Credit Customer", str(refusal.exception))
        self.assertEqual(self._order_states(), ["sale", "draft"])

    def test_without_guard_write_skew_exceeds_limit(self):
        """Control experiment: without the guard row both orders pass (60 + 60 > 100)."""
        with patch.object(CrmCreditGuard, "_lock", lambda self, partner_ids, company_id: None):
            error = self._confirm_concurrently()
        self.assertIsNone(error)
        self.assertEqual(self._order_states(), ["sale", "sale"])
