from . import xlsx_export
