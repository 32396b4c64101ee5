import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// Data (customer, warranted product, contract, cases) is created by the Python tests.

// The agent (own documents salesperson) takes a call: opens a case from the menu,
// the contract is found and the case says "Covered".
registry.category("web_tour.tours").add("crm_extended_service_case_agent_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Sales",
            trigger: '.o_app[data-menu-xmlid="sale.sale_menu_root"]',
            run: "click",
        },
        {
            content: "Open the After-sales menu",
            trigger: '.o-dropdown[data-menu-xmlid="crm_extended.menu_aftersales_root"]',
            run: "click",
        },
        {
            trigger: '.o-dropdown-item[data-menu-xmlid="crm_extended.crm_service_case_menu"]',
            run: "click",
        },
        {
            content: "The cases are listed",
            trigger: ".o_breadcrumb:contains(After-sales Cases)",
        },
        {
            content: "New case",
            trigger: ".o_control_panel_main_buttons .o-kanban-button-new, .o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            content: "What the caller says",
            trigger: ".o_form_view .o_field_widget[name=subject] input",
            run: "edit Tour drill stopped",
        },
        {
            content: "Who calls",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input",
            run: "edit Tour Case Customer",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Case Customer)",
            run: "click",
        },
        {
            content: "What they bought",
            trigger: ".o_form_view .o_field_widget[name=product_id] input",
            run: "edit Tour Case Drill",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Case Drill)",
            run: "click",
        },
        {
            content: "The warranty contract is found: covered",
            trigger: ".o_form_view .o_field_widget[name=coverage]:contains(Covered)",
        },
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Start working on it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_start]",
            run: "click",
        },
        {
            trigger: '.o_form_view .o_statusbar_status button.o_arrow_button_current:contains("In Progress")',
        },
    ],
});

// The manager closes a resolved case: the customer is asked for a rating.
registry.category("web_tour.tours").add("crm_extended_service_case_manager_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Sales",
            trigger: '.o_app[data-menu-xmlid="sale.sale_menu_root"]',
            run: "click",
        },
        {
            trigger: '.o-dropdown[data-menu-xmlid="crm_extended.menu_aftersales_root"]',
            run: "click",
        },
        {
            trigger: '.o-dropdown-item[data-menu-xmlid="crm_extended.crm_service_case_menu"]',
            run: "click",
        },
        {
            content: "The breached case is red on the board",
            trigger: ".o_kanban_record:contains(Tour late case) .text-danger",
        },
        {
            content: "Open the case in progress",
            trigger: ".o_kanban_record:contains(Tour case to close)",
            run: "click",
        },
        {
            content: "How it was solved",
            trigger: ".o_form_view .o_field_widget[name=resolution] .o_select_menu_toggler",
            run: "click",
        },
        {
            trigger: ".o_select_menu_menu .o_select_menu_item:contains(Repaired)",
            run: "click",
        },
        {
            content: "Resolve",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_resolve]",
            run: "click",
        },
        {
            content: "Close",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_close]",
            run: "click",
        },
        {
            trigger: '.o_form_view .o_statusbar_status button.o_arrow_button_current:contains("Closed")',
        },
    ],
});

// The portal customer opens a case on a contract they own.
registry.category("web_tour.tours").add("crm_extended_service_case_portal_tour", {
    url: "/my",
    steps: () => [
        {
            content: "The portal home offers the cases",
            trigger: 'a[href="/my/cases"]',
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open a case",
            trigger: "a.o_service_case_new",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "A warranty claim",
            trigger: "select[name=case_type]",
            run: "select warranty_claim",
        },
        {
            content: "On my contract",
            trigger: "select[name=contract_id]",
            run: "selectByLabel TOUR-SN-1",
        },
        {
            trigger: "input[name=subject]",
            run: "edit Tour portal drill sparks",
        },
        {
            trigger: "textarea[name=description]",
            run: "edit Sparks when starting",
        },
        {
            content: "Send",
            trigger: ".o_service_case_form button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The case page with its conversation",
            trigger: "h4:contains(Tour portal drill sparks)",
        },
        {
            trigger: "#service_case_communication",
        },
    ],
});
