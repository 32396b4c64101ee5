import { registry } from "@web/core/registry";

// A settings administrator configures the addon: a credit setting in the
// Invoicing settings that the CRM Extended app links to, a competitor setting
// in the CRM Extended app, saved together. The Python test then checks the
// company's values.
registry.category("web_tour.tours").add("crm_extended_foundation_tour", {
    url: "/odoo/settings",
    steps: () => [
        {
            content: "Open the CRM Extended section of the settings",
            trigger: ".settings_tab .tab[data-key='crm_extended']",
            run: "click",
        },
        {
            content: "The credit control settings are linked from here",
            trigger: "button[name='action_open_credit_settings']:visible",
        },
        {
            content: "They are in the Invoicing settings",
            trigger: ".settings_tab .tab[data-key='account']",
            run: "click",
        },
        {
            content: "Warn from 80 % of the credit limit",
            trigger: ".o_setting_box#crm_extended_credit_warning_percent .o_field_widget[name='credit_hold_warning_percent'] input",
            run: "edit 80",
        },
        {
            content: "Back to the CRM Extended section",
            trigger: ".settings_tab .tab[data-key='crm_extended']",
            run: "click",
        },
        {
            content: "Require a competitor on lost deals",
            trigger: ".o_setting_box#competitor_required_on_lost .o_field_widget[name='competitor_required_on_lost'] input:not(:checked)",
            run: "click",
        },
        {
            content: "Save: the settings apply and the page reloads",
            trigger: ".o_control_panel .o_form_button_save:enabled",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "After the reload, the CRM Extended section",
            trigger: ".settings_tab .tab[data-key='crm_extended']",
            run: "click",
        },
        {
            content: "shows the box ticked",
            trigger: ".o_setting_box#competitor_required_on_lost .o_field_widget[name='competitor_required_on_lost'] input:checked",
        },
        {
            content: "and the Invoicing section the new threshold",
            trigger: ".settings_tab .tab[data-key='account']",
            run: "click",
        },
        {
            trigger: ".o_setting_box#crm_extended_credit_warning_percent .o_field_widget[name='credit_hold_warning_percent'] input:value(80)",
        },
    ],
});
