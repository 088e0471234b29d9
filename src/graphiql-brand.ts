/**
 * Switchyard's mark, as SVG: one track fanning out into three, as one query
 * fans out to the sources. GraphiQL shows it as the page's favicon and next to
 * its title.
 */
export const SWITCHYARD_MARK_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" role="img" aria-label="Switchyard">' +
  '<rect width="32" height="32" rx="7" fill="#1d4ed8"/>' +
  '<path d="M5 16h8M13 16c5 0 7-8 14-8M13 16h14M13 16c5 0 7 8 14 8" fill="none" stroke="#fff" stroke-width="2.6" stroke-linecap="round"/>' +
  '<circle cx="13" cy="16" r="2.8" fill="#fff"/>' +
  '</svg>';
