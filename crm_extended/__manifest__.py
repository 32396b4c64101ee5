{
    "name": "CRM Extended",
    "summary": "Customer-centric CRM, Sales and Invoicing: credit control, "
    "sales cycles, qualification, warranties, competitors, XLSX exports",
    "version": "19.0.1.0.0",
    "category": "Sales/CRM",
    "author": "crm_extended contributors",
    "website": "https://example.com/crm_extended",
    "license": "LGPL-3",
    "depends": [
        # leads, opportunities and stages: sales cycles, qualification, competitors
        "crm",
        # the Sales app itself: `sale` ships its root menu (sale.sale_menu_root)
        # inactive and sale_management turns it on; the warranty and credit menus
        # (crm_extended_menus.xml, crm_warranty_contract_views.xml) live under it.
        # None of its quotation templates or optional products is used.
        "sale_management",
        # Odoo's own link between opportunities and quotations, the CRM-to-sales
        # flow the customer-centric addon sits on; no code of ours calls into it,
        # Odoo's sale_crm tests run with the addon (make test-host)
        "sale_crm",
        # invoices and receivables: credit exposure, warranty invoices
        "account",
        # customers rate closed after-sales cases (rating.mixin and the /rate pages);
        # neither mail nor portal brings it
        "rating",
    ],
    "external_dependencies": {"python": ["xlsxwriter", "numpy", "scipy"]},
    "data": [
        "security/crm_extended_groups.xml",
        "security/ir.model.access.csv",
        "security/ir_rules.xml",
        "views/crm_extended_menus.xml",
        "views/res_config_settings_views.xml",
        # -- credit control --
        "data/credit_activity_type.xml",
        "views/res_config_settings_credit_views.xml",
        "views/res_partner_credit_views.xml",
        "views/sale_order_credit_views.xml",
        # -- sales cycles and qualification --
        "data/crm_sales_cycle_data.xml",
        "views/crm_qualification_questionnaire_views.xml",
        "views/crm_lead_qualification_views.xml",
        "views/crm_sales_cycle_views.xml",
        "views/crm_team_cycle_views.xml",
        "views/crm_stage_cycle_views.xml",
        "views/res_config_settings_cycle_views.xml",
        "views/crm_lead_cycle_views.xml",
        "views/crm_lead_stage_history_views.xml",
        "report/crm_sales_funnel_report_views.xml",
        "wizard/crm_lead_gate_override_views.xml",
        # -- warranties --
        "data/warranty_sequence.xml",
        "data/warranty_activity_type.xml",
        "data/warranty_cron.xml",
        "data/warranty_mail_template.xml",
        "views/crm_warranty_contract_views.xml",
        "views/product_template_warranty_views.xml",
        "views/res_partner_warranty_views.xml",
        "views/sale_order_warranty_views.xml",
        "views/account_move_warranty_views.xml",
        "views/res_config_settings_warranty_views.xml",
        # -- competitors --
        "views/crm_competitor_views.xml",
        "views/crm_lead_competition_views.xml",
        "wizard/crm_lead_lost_competition_views.xml",
        "views/res_config_settings_competition_views.xml",
        "report/crm_competitor_winloss_report_views.xml",
        # -- xlsx exports --
        "wizard/crm_extended_xlsx_export_views.xml",
        "views/res_partner_xlsx_views.xml",
        "report/crm_sales_funnel_report_xlsx_views.xml",
        "views/crm_warranty_contract_xlsx_views.xml",
        "report/crm_competitor_winloss_report_xlsx_views.xml",
        # -- customer 360 --
        "views/res_partner_360_views.xml",
        # -- customer insights --
        "data/insight_cron.xml",
        "views/crm_customer_insight_views.xml",
        "views/crm_product_affinity_views.xml",
        "views/res_partner_insight_views.xml",
        "views/crm_lead_insight_views.xml",
        "views/sale_order_insight_views.xml",
        "views/res_config_settings_insight_views.xml",
        # -- after-sales cases --
        "data/service_case_data.xml",
        "views/crm_service_case_views.xml",
        "views/res_partner_service_views.xml",
        "views/res_config_settings_service_views.xml",
        "views/crm_service_case_portal_templates.xml",
        # -- retention plans --
        "data/retention_data.xml",
        "data/retention_cron.xml",
        "views/crm_retention_views.xml",
    ],
    "demo": [
        # -- credit control --
        "demo/credit_demo.xml",
        # -- sales cycles and qualification --
        "demo/crm_sales_cycle_demo.xml",
        # -- warranties --
        "demo/warranty_demo.xml",
        # -- competitors --
        "demo/competitor_demo.xml",
        # -- after-sales cases --
        "demo/service_case_demo.xml",
        # -- retention plans --
        "demo/retention_demo.xml",
        # -- customer insights (last: computed on all the demo data) --
        "demo/insight_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "crm_extended/static/tests/tours/**/*.js",
        ],
    },
    "uninstall_hook": "uninstall_hook",
}
