import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_extended_insight_customer_tour", {
    steps: () => [
        {
            content: "Open the Customer 360 page of the customer",
            trigger: ".o_notebook .nav-link:contains('Customer 360')",
            run: "click",
        },
        {
            content: "The customer's segment is shown",
            trigger: ".o_field_widget[name=rfm_segment] .badge:contains('Loyal'), .o_field_widget[name=rfm_segment] .badge:contains('Champions')",
        },
        {
            content: "with what customers like them also bought",
            trigger: ".o_field_widget[name=insight_suggested_product_ids]:contains('Tour Lamp')",
        },
        {
            content: "Open the insight details",
            trigger: "button[name=action_open_insight]",
            run: "click",
        },
        {
            content: "The insight shows the RFM figures",
            trigger: ".o_form_view .o_field_widget[name=frequency]:contains('3')",
        },
        {
            content: "and the predictions",
            trigger: ".o_form_view .o_field_widget[name=clv_12m]",
        },
    ],
});

registry.category("web_tour.tours").add("crm_extended_insight_quotation_tour", {
    steps: () => [
        {
            content: "The quotation suggests a product frequently bought with its desk",
            trigger: ".o_field_widget[name=affinity_product_ids] .o_data_row:contains('Tour Lamp')",
        },
        {
            content: "One click adds it",
            trigger:
                ".o_field_widget[name=affinity_product_ids] .o_data_row:contains('Tour Lamp') button[name=action_insight_add_to_order]",
            run: "click",
        },
        {
            content: "The lamp is now a line of the quotation",
            trigger: ".o_field_widget[name=order_line] .o_data_row:contains('Tour Lamp')",
        },
        {
            content: "and no longer suggested",
            trigger: ".o_form_view:not(:has(.o_field_widget[name=affinity_product_ids] .o_data_row))",
        },
    ],
});
