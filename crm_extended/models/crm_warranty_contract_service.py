from odoo import models


class CrmWarrantyContract(models.Model):
    _inherit = "crm.warranty.contract"

    # an after-sales case looks its contract up by serial number, or by product
    # among the customer's contracts: one indexed query whatever their number
    _service_serial_idx = models.Index("(serial_number) WHERE serial_number IS NOT NULL")
    _service_product_idx = models.Index("(product_id, company_id)")
