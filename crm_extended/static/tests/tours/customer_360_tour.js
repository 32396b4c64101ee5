import { registry } from "@web/core/registry";

function openC360() {
    return [
        {
            content: "Open the Customer 360 page of the customer",
            trigger: ".o_notebook .nav-link:contains('Customer 360')",
            run: "click",
        },
        {
            content: "Credit status is shown to everyone",
            trigger: ".o_field_widget[name=credit_status]",
        },
        {
            content: "The open opportunity is counted",
            trigger: ".o_field_widget[name=c360_opportunity_count]:contains('1')",
        },
        {
            content: "and listed with its qualification status",
            trigger: ".o_field_widget[name=c360_lead_ids] .o_data_row:contains('C360 tour deal')",
        },
    ];
}

registry.category("web_tour.tours").add("crm_extended_c360_sales_tour", {
    steps: () => [
        ...openC360(),
        {
            content: "A salesperson does not see finance-only invoice figures",
            trigger:
                ".o_form_view:not(:has(.o_field_widget[name=c360_overdue_invoice_count])):not(:has(.o_field_widget[name=c360_open_invoice_amount]))",
        },
    ],
});

registry.category("web_tour.tours").add("crm_extended_c360_finance_tour", {
    steps: () => [
        ...openC360(),
        {
            content: "A credit controller sees the overdue invoice",
            trigger: ".o_field_widget[name=c360_overdue_invoice_count]:contains('1')",
        },
        {
            content: "and can open it",
            trigger: "button[name=action_c360_overdue_invoices]",
            run: "click",
        },
        {
            content: "The overdue invoice list opens",
            trigger: ".o_list_view .o_data_row:contains('Posted')",
        },
    ],
});
