{
    "name": "CRM Extended",
    "summary": "Customer-centric CRM, Sales and Invoicing: credit control, "
    "sales cycles, qualification, warranties, competitors, XLSX exports",
    "version": "19.0.1.0.0",
    "category": "Sales/CRM",
    "author": "crm_extended contributors",
    "website": "https://example.com/crm_extended",
    "license": "LGPL-3",
    "depends": ["crm", "sale_management", "sale_crm", "account"],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/crm_extended_groups.xml",
        "security/ir.model.access.csv",
        "security/ir_rules.xml",
        "views/crm_extended_menus.xml",
        "views/res_config_settings_views.xml",
        # -- credit control --
        "views/res_config_settings_credit_views.xml",
        "views/res_partner_views.xml",
        "views/sale_order_views.xml",
        # -- sales cycles and qualification --
        # -- warranties --
        # -- competitors --
        # -- xlsx exports and customer 360 --
    ],
    "demo": [
        # -- credit control --
        "demo/credit_demo.xml",
        # -- sales cycles and qualification --
        # -- warranties --
        # -- competitors --
    ],
    "assets": {
        "web.assets_tests": [
            "crm_extended/static/tests/tours/**/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
