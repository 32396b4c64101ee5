from . import xlsx_export
from . import service_case_portal
