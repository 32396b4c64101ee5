import { registry } from "@web/core/registry";

// The salesperson qualifies his lead and converts it.
registry.category("web_tour.tours").add("crm_extended_sales_cycle_tour", {
    steps: () => [
        {
            content: "Qualify the lead",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_qualify']",
            run: "click",
        },
        {
            content: "Answer the budget question",
            trigger:
                ".o_field_widget[name=answer_ids] .o_data_row:first-child td[name=option_id]",
            run: "click",
        },
        {
            trigger:
                ".o_field_widget[name=answer_ids] .o_data_row:first-child .o_field_widget[name=option_id] input",
            run: "edit Yes",
        },
        {
            trigger: ".o-autocomplete--dropdown-item .dropdown-item:contains(Yes)",
            run: "click",
        },
        {
            content: "Mark the qualification done",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_done']",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Done)",
        },
        {
            content: "Back to the lead",
            trigger: ".o_breadcrumb .o_back_button",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=qualification_status]:contains(Qualified)",
        },
        {
            content: "Convert it",
            trigger: ".o_form_view .o_statusbar_buttons button:contains(Convert to Opportunity)",
            run: "click",
        },
        {
            trigger: ".modal .modal-footer button[name='action_apply']",
            run: "click",
        },
        {
            content: "The opportunity starts in the cycle's first opportunity stage",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(T Discovery)",
        },
    ],
});

// The sales manager reviews the cycle's pipeline and moves the deal forward
// past the gate its qualification passed.
registry.category("web_tour.tours").add("crm_extended_sales_cycle_pipeline_tour", {
    steps: () => [
        {
            content: "Open the cycle's pipeline",
            trigger: ".o_main_navbar button:contains(Configuration)",
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu .dropdown-item:contains(Sales Cycles)",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row td[name=name]:contains(T Gated)",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name='action_open_pipeline']",
            run: "click",
        },
        {
            content: "Drag the opportunity forward",
            trigger: ".o_kanban_record:contains(Tour cycle lead)",
            run: "drag_and_drop (.o_opportunity_kanban .o_kanban_group:has(.o_column_title:contains(T Study)))",
        },
        {
            trigger:
                ".o_kanban_group:has(.o_column_title:contains(T Study)) .o_kanban_record:contains(Tour cycle lead)",
        },
    ],
});
