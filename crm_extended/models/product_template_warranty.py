from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    warranty_months = fields.Integer(
        string="Warranty (months)",
        default=0,
        help="Length of the warranty given with the product; 0 means no warranty. "
        "Confirming a sales order creates one warranty contract per line of such a product. "
        "On a warranty renewal product: the length of the renewed warranty (when 0, a "
        "renewal repeats the length of the contract it renews).",
    )
    warranty_renewal_product_id = fields.Many2one(
        "product.product",
        domain="[('sale_ok', '=', True)]",
        check_company=True,
        help="Product sold to renew the warranty; the product itself when empty.",
    )

    @api.constrains("warranty_months")
    def _check_warranty_months(self):
        for template in self:
            if template.warranty_months < 0:
                raise ValidationError(
                    self.env._(
                        "The warranty length of %(product)s cannot be negative "
                        "(%(months)s months).",
                        product=template.display_name,
                        months=template.warranty_months,
                    )
                )
