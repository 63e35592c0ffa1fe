import type ExcelJS from 'exceljs';

/**
 * Characters that make a spreadsheet program read a cell as a formula (or, for tab and
 * carriage return, shift it into one): OWASP's list for CSV injection.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell made inert: a leading formula character is preceded by an apostrophe. */
export function neutralizeCell(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * Every text cell of every sheet made inert before it leaves the platform: a school or
 * teacher name typed as `=HYPERLINK(…)` must not become a live formula in the coordinator's
 * Excel. Numbers, dates and booleans are left alone.
 */
function neutralizeWorkbook(workbook: ExcelJS.Workbook): void {
  workbook.eachSheet((sheet) => {
    sheet.eachRow((row) => {
      row.eachCell((cell) => {
        if (typeof cell.value === 'string') cell.value = neutralizeCell(cell.value);
      });
    });
  });
}

/** The workbook as an .xlsx file, or its first sheet as CSV (UTF-8 with the BOM Excel needs for Chinese). */
export async function workbookBuffer(workbook: ExcelJS.Workbook, format: 'xlsx' | 'csv'): Promise<Buffer> {
  neutralizeWorkbook(workbook);
  if (format === 'xlsx') return Buffer.from(await workbook.xlsx.writeBuffer());
  const csv = await workbook.csv.writeBuffer({
    formatterOptions: { writeBOM: true, includeEndRowDelimiter: true },
  });
  return Buffer.from(csv);
}
