import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";
import tourUtils from "@sale/js/tours/tour_utils";

// Data (customer, warranted product) is created by the Python test.
registry.category("web_tour.tours").add("crm_extended_warranty_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Sales",
            trigger: '.o_app[data-menu-xmlid="sale.sale_menu_root"]',
            run: "click",
        },
        ...tourUtils.createNewSalesOrder(),
        ...tourUtils.selectCustomer("Warranty Tour Customer"),
        ...tourUtils.addProduct("Tour Warranted Drill"),
        {
            content: "The line has the product and its price",
            trigger: '.o_data_row td[name="price_subtotal"]:contains("150")',
        },
        {
            content: "Confirm the order",
            trigger: 'button[name="action_confirm"]',
            run: "click",
        },
        {
            content: "The order is confirmed",
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("Sales Order")',
        },
        {
            content: "Open the warranty from the order",
            trigger: 'button[name="action_view_warranty_contracts"]:contains("1")',
            run: "click",
        },
        {
            content: "The warranty contract is active",
            trigger: '.o_form_view .o_statusbar_status button.o_arrow_button_current:contains("Active")',
        },
        {
            content: "The contract comes from the order",
            trigger: '.o_form_view .o_field_widget[name="sale_order_id"]:contains("S0")',
        },
        {
            content: "Renew it",
            trigger: 'button[name="action_renew"]',
            run: "click",
        },
        {
            content: "The renewal quotation is open",
            trigger: '.o_form_view .o_field_widget[name="warranty_renewed_contract_ids"]:contains("WAR/")',
        },
        {
            content: "Confirm the renewal quotation",
            trigger: 'button[name="action_confirm"]',
            run: "click",
        },
        {
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("Sales Order")',
        },
        {
            content: "Open the new warranty",
            trigger: 'button[name="action_view_warranty_contracts"]:contains("1")',
            run: "click",
        },
        {
            content: "The successor renews the first contract",
            trigger: '.o_form_view .o_field_widget[name="renewal_of_id"]:contains("WAR/")',
        },
        {
            trigger: '.o_form_view .o_statusbar_status button.o_arrow_button_current:contains("Active")',
        },
    ],
});
