import tempfile

from werkzeug.exceptions import NotFound
from werkzeug.wsgi import wrap_file

from odoo import http
from odoo.http import content_disposition, request

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class XlsxExportController(http.Controller):
    @http.route(
        "/crm_extended/xlsx/<int:wizard_id>",
        type="http",
        auth="user",
        methods=["GET"],
        readonly=True,
    )
    def xlsx_download(self, wizard_id):
        """Stream the workbook of an export wizard of the current user.

        The rows are read in chunks and written with xlsxwriter's
        ``constant_memory`` mode to a temporary file, which is then streamed:
        neither the rows nor the workbook are held in memory, and nothing is
        written to the database (the route runs on a read-only cursor, so a
        read replica can serve it). The wizard's own checks apply, as in
        ``action_export``: a user may download only the exports they created,
        of their companies, with the rights the report needs (refusals are
        403 responses).
        """
        wizard = request.env["crm.extended.xlsx.export"].browse(wizard_id).exists()
        if not wizard or wizard.sudo().create_uid != request.env.user:
            raise NotFound()
        wizard.check_access("read")
        writer, chunks, file_name = wizard._xlsx_writer()
        output = tempfile.TemporaryFile(prefix="crmx_xlsx_")  # noqa: SIM115 (closed by the response)
        try:
            writer.write(chunks, output)
            size = output.tell()
            output.seek(0)
        except BaseException:
            output.close()
            raise
        response = request.make_response(
            wrap_file(request.httprequest.environ, output),
            headers=[
                ("Content-Type", XLSX_MIMETYPE),
                ("Content-Length", str(size)),
                ("Content-Disposition", content_disposition(file_name)),
                ("X-Content-Type-Options", "nosniff"),
                ("Cache-Control", "no-store"),
            ],
        )
        response.direct_passthrough = True
        return response
