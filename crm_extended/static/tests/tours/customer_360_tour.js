import { registry } from "@web/core/registry";

// Data comes from the Python test: a customer with an open opportunity (not
// qualified), a qualified lead and one overdue posted invoice of 500.
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
            content: "The qualified lead is counted",
            trigger: ".o_field_widget[name=c360_qualified_lead_count]:contains('1')",
        },
        {
            content: "The lead is listed as qualified, with its score",
            trigger:
                ".o_field_widget[name=c360_lead_ids] .o_data_row:contains('C360 tour lead') td[name=qualification_status]:contains('Qualified'):not(:contains('Not Qualified'))",
        },
        {
            trigger:
                ".o_field_widget[name=c360_lead_ids] .o_data_row:contains('C360 tour lead') td[name=qualification_score]:contains('80')",
        },
        {
            content: "The opportunity is listed as not qualified",
            trigger:
                ".o_field_widget[name=c360_lead_ids] .o_data_row:contains('C360 tour deal') td[name=qualification_status]:contains('Not Qualified')",
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
            content: "The list opened from the customer's page",
            trigger: ".o_breadcrumb:contains('C360 Tour Customer')",
        },
        {
            content: "It holds one invoice only",
            trigger: ".o_list_view .o_data_row:only",
        },
        {
            content: "the posted invoice of 500",
            trigger: ".o_list_view .o_data_row:contains('500.00'):contains('Posted')",
        },
    ],
});
