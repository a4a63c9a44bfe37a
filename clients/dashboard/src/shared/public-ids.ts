// The public names the dashboard server gives to things whose real ids a
// public page must not see (shared by the server, which makes them, and the
// page, which reads them).
//
//   fund@<P>   a sensitive beneficiary fund, P = the ledger position of its
//              BeneficiaryRegistered event. Used wherever the fund's id would
//              be: Beneficiary.beneficiary_id, event bodies, and inside
//              FundBalance.fund ("beneficiary/fund@P"), AccountBalance.account
//              ("fund:beneficiary/fund@P") and ErrorDetail.fund.
//   event@<P>  an earlier event, P = its ledger position. Used in
//              EventReversed.target_event_id instead of the target's event id.
//   request@<P> a disbursement request (two to sign), P = the ledger position
//              of its DisbursementRequested event. Used in the request_id of
//              the request events and of DisbursementMade: request ids are
//              chosen by a treasurer like event ids (often the same text), so
//              they are hidden like event ids.
//
// Positions are public (every event has one and ReadEvents serves them), so
// an alias says nothing about the real id. Real ids are 1-64 characters of
// a-z 0-9 . _ - and never contain "@", so an alias can never be mistaken for
// (or collide with) a real id.

export const FUND_ALIAS_PREFIX = "fund@";
export const EVENT_REF_PREFIX = "event@";
export const REQUEST_REF_PREFIX = "request@";

const POSITION = /^[1-9][0-9]{0,19}$/;

function parsePosition(text: string): bigint | undefined {
  if (!POSITION.test(text)) return undefined;
  const p = BigInt(text);
  return p <= 0xffff_ffff_ffff_ffffn ? p : undefined;
}

/** "fund@12" for the sensitive fund registered at position 12. */
export function fundAlias(registeredPosition: bigint): string {
  return `${FUND_ALIAS_PREFIX}${registeredPosition}`;
}

/** The registration position named by a fund alias, or undefined if `text` is not one. */
export function parseFundAlias(text: string): bigint | undefined {
  return text.startsWith(FUND_ALIAS_PREFIX) ? parsePosition(text.slice(FUND_ALIAS_PREFIX.length)) : undefined;
}

/** "event@9" for the event at position 9. */
export function eventRef(position: bigint): string {
  return `${EVENT_REF_PREFIX}${position}`;
}

/** The position named by an event reference, or undefined if `text` is not one. */
export function parseEventRef(text: string): bigint | undefined {
  return text.startsWith(EVENT_REF_PREFIX) ? parsePosition(text.slice(EVENT_REF_PREFIX.length)) : undefined;
}

/** "request@12" for the disbursement request recorded at position 12. */
export function requestRef(position: bigint): string {
  return `${REQUEST_REF_PREFIX}${position}`;
}

/** The position named by a request reference, or undefined if `text` is not one. */
export function parseRequestRef(text: string): bigint | undefined {
  return text.startsWith(REQUEST_REF_PREFIX) ? parsePosition(text.slice(REQUEST_REF_PREFIX.length)) : undefined;
}
