/**
 * HubSpot's CRM writes, as the emulator serves them: `PATCH
 * /crm/v3/objects/contacts/{id}` with `{ properties }`, and notes (`POST
 * /crm/v3/objects/notes` with `hs_note_body`, `hs_timestamp` and
 * `associations` to contacts, HubSpot-defined type 202; `GET
 * /crm/v3/objects/notes/{id}`), with HubSpot's 400 `VALIDATION_ERROR` bodies
 * (`errors[].context.propertyName`) and, after a contact changes, one
 * `contact.propertyChange` webhook event per changed property. HubSpot has no
 * idempotency keys: every POST creates.
 */
import { queryList } from '../../../src/sandbox/http-emulator.ts';
import type { EmulatorRequest, EmulatorResponse, Route } from '../../../src/sandbox/http-emulator.ts';
import type { WebhookDelivery } from '../../../src/sandbox/types.ts';
import type { HubSpotReactor } from './react.ts';
import { DEFINED_PROPERTIES, HubSpotApiError, errorBody, validationError } from './store.ts';
import type { CrmStore } from './store.ts';

/** Note to contact, as HubSpot defines it. */
export const NOTE_TO_CONTACT = 202;

const READ_ONLY = new Set(['createdate', 'hs_object_id', 'lastmodifieddate', 'hs_merged_object_ids']);
const LIFECYCLE_STAGES = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
];

interface PropertyProblem {
  name: string;
  message: string;
  code: string;
}

/** HubSpot's 400 for invalid property values: one `errors` entry per property, its name in `context.propertyName`. */
function invalidProperties(problems: readonly PropertyProblem[]): HubSpotApiError {
  const listed = problems.map((p) => ({ isValid: false, message: p.message, error: p.code, name: p.name }));
  return validationError(`Property values were not valid: ${JSON.stringify(listed)}`, {
    errors: problems.map((p) => ({ message: p.message, code: p.code, context: { propertyName: [p.name] } })),
  });
}

/** A stored note. */
interface Note {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  contacts: string[];
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

export function hubspotWriteRoutes(options: {
  store: CrmStore;
  react: HubSpotReactor;
  emit: (make: (url: string) => WebhookDelivery[]) => void;
  /** A new record id. */
  nextId: () => string;
}): { routes: Route[]; notes: ReadonlyMap<string, Note> } {
  const { store, react } = options;
  const notes = new Map<string, Note>();

  const handle =
    (handler: (request: EmulatorRequest) => EmulatorResponse) =>
    (request: EmulatorRequest): EmulatorResponse => {
      try {
        return handler(request);
      } catch (error) {
        if (error instanceof HubSpotApiError) return { status: error.status, body: error.body };
        throw error;
      }
    };

  const propertiesOf = (request: EmulatorRequest): Record<string, unknown> => {
    const properties = record(record(request.json)?.['properties']);
    if (properties === undefined) {
      throw validationError('Invalid input JSON on line 1, column 1: Missing required field "properties"');
    }
    return properties;
  };

  const noteView = (note: Note) => ({
    id: note.id,
    properties: note.properties,
    createdAt: note.createdAt,
    updatedAt: note.updatedAt,
    archived: false,
  });

  const routes: Route[] = [
    {
      method: 'PATCH',
      path: '/crm/v3/objects/contacts/:id',
      handler: handle((request) => {
        const id = request.params['id'] ?? '';
        if (store.get('contacts', id) === undefined) return { status: 404, body: '' };
        const given = propertiesOf(request);
        const problems: PropertyProblem[] = [];
        const changes: Record<string, string | null> = {};
        for (const [name, raw] of Object.entries(given)) {
          if (!DEFINED_PROPERTIES.contacts.includes(name) || READ_ONLY.has(name)) {
            const readOnly = READ_ONLY.has(name);
            problems.push({
              name,
              code: readOnly ? 'READ_ONLY_VALUE' : 'PROPERTY_DOESNT_EXIST',
              message: readOnly
                ? `${name} is a read only property; its value cannot be set.`
                : `Property "${name}" does not exist`,
            });
            continue;
          }
          const value = raw === null ? '' : typeof raw === 'string' ? raw : JSON.stringify(raw);
          if (name === 'email' && value !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
            problems.push({ name, code: 'INVALID_EMAIL', message: `Email address ${value} is invalid` });
          } else if (name === 'lifecyclestage' && value !== '' && !LIFECYCLE_STAGES.includes(value)) {
            problems.push({
              name,
              code: 'INVALID_OPTION',
              message: `${value} was not one of the allowed options: [${LIFECYCLE_STAGES.join(', ')}]`,
            });
          } else if (
            name === 'email' &&
            value !== '' &&
            store.contactByEmail.get(value.toLowerCase()) !== undefined &&
            store.contactByEmail.get(value.toLowerCase()) !== id
          ) {
            return {
              status: 409,
              body: errorBody(
                `Contact already exists. Existing ID: ${store.contactByEmail.get(value.toLowerCase()) ?? ''}`,
                'CONFLICT',
              ),
            };
          } else {
            changes[name] = name === 'email' ? value.toLowerCase() : value;
          }
        }
        if (problems.length > 0) throw invalidProperties(problems);
        const events = react.changed('contacts', id, changes, Date.now());
        if (events.length > 0) options.emit((url) => [react.sign(events, url)]);
        const updated = store.get('contacts', id);
        if (updated === undefined) return { status: 404, body: '' };
        const shown = [...new Set([...Object.keys(changes), 'email', 'firstname', 'lastname'])];
        return { status: 200, body: store.render('contacts', updated, shown) };
      }),
    },
    {
      method: 'POST',
      path: '/crm/v3/objects/notes',
      handler: handle((request) => {
        const given = propertiesOf(request);
        const problems: PropertyProblem[] = [];
        const timestamp = given['hs_timestamp'];
        // HubSpot takes epoch milliseconds or an ISO-8601 date.
        const at =
          typeof timestamp !== 'string'
            ? NaN
            : /^\d+$/.test(timestamp)
              ? Number(timestamp)
              : Date.parse(timestamp);
        if (!Number.isFinite(at)) {
          problems.push({
            name: 'hs_timestamp',
            code: 'INVALID_DATE',
            message: `${timestamp === undefined ? 'undefined' : JSON.stringify(timestamp)} is not a valid date`,
          });
        }
        for (const name of Object.keys(given)) {
          if (!['hs_note_body', 'hs_timestamp', 'hubspot_owner_id'].includes(name)) {
            problems.push({
              name,
              code: 'PROPERTY_DOESNT_EXIST',
              message: `Property "${name}" does not exist`,
            });
          }
        }
        if (problems.length > 0) throw invalidProperties(problems);
        const contacts: string[] = [];
        const associations = record(request.json)?.['associations'];
        for (const association of Array.isArray(associations) ? associations : []) {
          const rawTo = record(record(association)?.['to'])?.['id'];
          const to = typeof rawTo === 'string' || typeof rawTo === 'number' ? String(rawTo) : '';
          const types = record(association)?.['types'];
          const typeIds = Array.isArray(types) ? types.map((t) => record(t)?.['associationTypeId']) : [];
          if (!typeIds.includes(NOTE_TO_CONTACT)) {
            throw validationError(
              `No association type ${JSON.stringify(typeIds)} exists from note to the object ${to}.`,
            );
          }
          if (store.get('contacts', to) === undefined) {
            throw validationError(`One or more associations are invalid`, {
              errors: [
                {
                  message: `No contact with id ${to} exists`,
                  code: 'INVALID_ASSOCIATION',
                  context: { id: [to] },
                },
              ],
            });
          }
          contacts.push(to);
        }
        const now = new Date().toISOString();
        const id = options.nextId();
        const note: Note = {
          id,
          properties: {
            hs_createdate: now,
            hs_lastmodifieddate: now,
            hs_note_body: typeof given['hs_note_body'] === 'string' ? given['hs_note_body'] : null,
            hs_object_id: id,
            hs_timestamp: new Date(at).toISOString(),
          },
          createdAt: now,
          updatedAt: now,
          contacts,
        };
        notes.set(id, note);
        return { status: 201, body: noteView(note) };
      }),
    },
    {
      method: 'GET',
      path: '/crm/v3/objects/notes/:id',
      handler: handle((request) => {
        const note = notes.get(request.params['id'] ?? '');
        if (note === undefined) return { status: 404, body: '' };
        const withContacts = queryList(request.query, 'associations').some((a) =>
          a.split(',').includes('contacts'),
        );
        const associations = {
          contacts: { results: note.contacts.map((id) => ({ id, type: 'note_to_contact' })) },
        };
        return { status: 200, body: withContacts ? { ...noteView(note), associations } : noteView(note) };
      }),
    },
    {
      method: 'GET',
      path: '/crm/v4/objects/notes/:id/associations/contacts',
      handler: handle((request) => {
        const note = notes.get(request.params['id'] ?? '');
        const results = (note?.contacts ?? []).map((id) => ({
          toObjectId: Number(id),
          associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: NOTE_TO_CONTACT, label: null }],
        }));
        return { status: 200, body: { results } };
      }),
    },
  ];
  return { routes, notes };
}
