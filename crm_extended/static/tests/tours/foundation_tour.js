import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_extended_foundation_tour", {
    url: "/odoo/settings",
    steps: () => [
        {
            content: "Open the CRM Extended section of the settings",
            trigger: ".settings_tab .tab[data-key='crm_extended']",
            run: "click",
        },
        {
            content: "It shows the credit control block",
            trigger: ".app_settings_block[data-key='crm_extended'] h2:contains('Credit Control')",
        },
    ],
});
