// The "customer" moment: the person first, then what went wrong (dossiers)
// and what they bought (orders), every channel in one story.
import { useEffect, useRef } from "react";

import type { CustomerCard } from "../bindings/CustomerCard";
import type { DossierView } from "../bindings/DossierView";
import type { OrderLineView } from "../bindings/OrderLineView";
import type { OrderView } from "../bindings/OrderView";
import { formatCents, plural, type Formatter } from "../format";
import { Icon, channelIcon, contactIcon, originIcon } from "./Icon";

/** What the card lets the clerk do next (absent: read only). */
export interface CardActions {
  onIntake(order: OrderView, line: OrderLineView): void;
  onIntakeWithoutProof(): void;
  onOpenDossier(dossierId: string): void;
  /** Opens the form that corrects the card. */
  onEdit?(): void;
}

interface Props {
  card: CustomerCard;
  fmt: Formatter;
  /** Order or dossier number that opened the card (scanned or typed). */
  highlight?: string;
  actions?: CardActions;
}

export function CustomerCardView({ card, fmt, highlight, actions }: Props) {
  const { customer, orders, dossiers, history } = card;
  const highlighted = useRef<HTMLElement | null>(null);

  useEffect(() => {
    highlighted.current?.scrollIntoView?.({ block: "center" });
  }, [highlight, card]);

  const mark = (number: string) =>
    highlight === number
      ? {
          ref: (el: HTMLElement | null) => {
            highlighted.current = el;
          },
          className: " highlighted",
        }
      : { ref: undefined, className: "" };

  const openCount = dossiers.filter((d) => d.is_open).length;
  // An erased customer's card is kept for the records: their dossiers
  // still open, but nothing new is written for them (Rust refuses it).
  const writes = card.erased_at ? undefined : actions;

  return (
    <article className="card" aria-labelledby="customer-name" data-customer-id={customer.id}>
      <header className="identity">
        <div className="identity-head">
          <h1 id="customer-name">{customer.display_name}</h1>
          {writes?.onEdit ? (
            <button type="button" className="button" id="edit-customer" onClick={writes.onEdit}>
              Modifier la fiche
            </button>
          ) : null}
        </div>
        <div className="identity-grid">
          <section aria-label="Adresse">
            <h2 className="visually-hidden">Adresse</h2>
            <p className="address">
              {customer.address_line1}
              {customer.address_line2 ? (
                <>
                  <br />
                  {customer.address_line2}
                </>
              ) : null}
              <br />
              {customer.postal_code} {customer.city}
              {customer.country && customer.country !== "FR" ? ` (${customer.country})` : null}
            </p>
            <p className="muted">Client depuis le {fmt.date(customer.created_at)}</p>
          </section>
          <section aria-label="Contacts">
            <h2 className="visually-hidden">Contacts</h2>
            <ul className="contacts">
              {customer.contacts.map((c) => (
                <li key={c.id}>
                  <Icon name={contactIcon(c.kind)} /> <span className="contact-value">{c.value}</span>
                  {c.label ? <span className="muted"> · {c.label}</span> : null}
                  {c.is_primary ? <span className="tag">principal</span> : null}
                </li>
              ))}
              {customer.contacts.length === 0 ? <li className="muted">Aucun contact</li> : null}
            </ul>
          </section>
          <section aria-label="Consentements">
            <h2 className="visually-hidden">Consentements</h2>
            <ul className="consents">
              <Consent label="Offres par e-mail" given={customer.consents.email_marketing} />
              <Consent label="Offres par SMS" given={customer.consents.sms_marketing} />
            </ul>
            {customer.consents.updated_at ? (
              <p className="muted">Mis à jour le {fmt.date(customer.consents.updated_at)}</p>
            ) : null}
          </section>
        </div>
        {history.length > 0 ? (
          <section className="card-history" aria-labelledby="card-history-title">
            <h2 id="card-history-title">Modifications de la fiche</h2>
            <ul>
              {history.map((h) => (
                <li key={h.id} data-field={h.field ?? "created"}>
                  {h.summary} le {fmt.dateTime(h.at)} par {h.actor}
                  {h.before !== null && h.after !== null ? (
                    <span className="muted">
                      {" "}
                      : {h.before} → {h.after}
                    </span>
                  ) : null}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </header>

      <div className="history">
        <section className="dossiers" aria-labelledby="dossiers-title">
          <h2 id="dossiers-title">
            Dossiers SAV <span className="count">({dossiers.length})</span>
            {openCount > 0 ? (
              <span className="badge badge-open">
                <Icon name="open" /> {plural(openCount, "ouvert", "ouverts")}
              </span>
            ) : null}
          </h2>
          {writes ? (
            <button type="button" className="button" id="intake-without-proof" onClick={writes.onIntakeWithoutProof}>
              <Icon name="plus" /> Dossier sans preuve d'achat
            </button>
          ) : null}
          {dossiers.length === 0 ? <p className="muted">Aucun dossier SAV.</p> : null}
          {dossiers.map((d) => {
            const m = mark(d.number);
            return (
              <Dossier
                key={d.id}
                dossier={d}
                fmt={fmt}
                markRef={m.ref}
                extraClass={m.className}
                actions={actions}
              />
            );
          })}
        </section>

        <section className="orders" aria-labelledby="orders-title">
          <h2 id="orders-title">
            Achats <span className="count">({orders.length})</span>
          </h2>
          {orders.length === 0 ? <p className="muted">Aucun achat connu.</p> : null}
          {orders.map((o) => {
            const m = mark(o.number);
            return (
              <Order
                key={o.id}
                order={o}
                fmt={fmt}
                markRef={m.ref}
                extraClass={m.className}
                actions={writes}
              />
            );
          })}
        </section>
      </div>
    </article>
  );
}

function Consent({ label, given }: { label: string; given: boolean }) {
  return (
    <li className={given ? "consent yes" : "consent no"}>
      <Icon name={given ? "yes" : "no"} /> {label} : <strong>{given ? "oui" : "non"}</strong>
    </li>
  );
}

interface ItemProps {
  fmt: Formatter;
  markRef?: (el: HTMLElement | null) => void;
  extraClass: string;
  actions?: CardActions;
}

function Order({ order, fmt, markRef, extraClass, actions }: ItemProps & { order: OrderView }) {
  const inParcels = new Set(order.shipments.flatMap((s) => s.line_nos));
  const unshipped = order.lines.map((l) => l.line_no).filter((n) => !inParcels.has(n));
  return (
    <article
      className={`order order-${order.channel}${extraClass}`}
      ref={markRef}
      data-order-number={order.number}
      aria-label={`Commande ${order.number}`}
    >
      <header className="item-head">
        <span className={`channel channel-${order.channel}`}>
          <Icon name={channelIcon(order.channel)} /> {order.channel_label}
        </span>
        <span className="number">{order.number}</span>
        <span className="total">{formatCents(order.total)}</span>
      </header>
      <p className="where">
        {order.where_label} · le {fmt.dateTime(order.ordered_at)}
        {order.delivered_at && order.shipments.length === 0 ? ` · livrée le ${fmt.date(order.delivered_at)}` : null}
      </p>
      {order.shipments.length > 0 ? (
        <p className="shipments" data-shipments={order.shipments.length}>
          <Icon name="parcel" />{" "}
          {order.shipments.some((s) => s.delivery_estimated) ? "Expédiée" : "Livrée"} en {order.shipments.length} colis
          :{" "}
          {order.shipments.map((s, i) => (
            <span
              key={s.id}
              className="shipment"
              data-delivered={fmt.date(s.delivered_at)}
              data-estimated={s.delivery_estimated ? "true" : undefined}
            >
              {i > 0 ? " ; " : ""}
              {s.delivery_estimated && s.shipped_at
                ? `expédié le ${fmt.date(s.shipped_at)}, réception estimée au ${fmt.date(s.delivered_at)}`
                : `le ${fmt.date(s.delivered_at)}`}{" "}
              ({s.line_nos.length > 1 ? "articles" : "article"} {s.line_nos.join(", ")}
              {s.carrier ? `, ${s.carrier}` : ""})
            </span>
          ))}
          {unshipped.length > 0 && !order.delivered_at ? (
            <span className="unshipped">
              {" "}
              ; {unshipped.length > 1 ? "articles" : "article"} {unshipped.join(", ")} pas encore{" "}
              {unshipped.length > 1 ? "expédiés" : "expédié"}
            </span>
          ) : null}
        </p>
      ) : null}
      <ul className="lines">
        {order.lines.map((line) => (
          <li key={line.id}>
            <span className="qty">{line.quantity} ×</span>
            <span className="product">
              {line.product.name}
              <span className="muted">
                {" "}
                · {line.product.brand} · réf. {line.product.sku}
              </span>
              {line.serial_numbers.length > 0 ? (
                <span className="serials">
                  N° de série : <span className="mono">{line.serial_numbers.join(", ")}</span>
                </span>
              ) : null}
            </span>
            <span className="amount">{formatCents(line.line_total)}</span>
            {actions ? (
              <button
                type="button"
                className="button small line-intake"
                data-line-id={line.id}
                onClick={() => actions.onIntake(order, line)}
              >
                <Icon name="plus" /> Ouvrir un dossier
                <span className="visually-hidden"> pour {line.product.name}</span>
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <p className="order-foot muted">
        {order.shipping > 0 ? `Livraison ${formatCents(order.shipping)} · ` : null}
        Paiement : {order.payment_method}
      </p>
    </article>
  );
}

function Dossier({ dossier, fmt, markRef, extraClass, actions }: ItemProps & { dossier: DossierView }) {
  return (
    <article
      className={`dossier ${dossier.is_open ? "is-open" : "is-closed"}${extraClass}`}
      ref={markRef}
      data-dossier-number={dossier.number}
      aria-label={`Dossier ${dossier.number}`}
    >
      <header className="item-head">
        <span className={`status ${dossier.is_open ? "status-open" : "status-closed"}`}>
          <Icon name={dossier.is_open ? "open" : "done"} /> {dossier.status_label}
        </span>
        <span className="number">{dossier.number}</span>
        {actions ? (
          <button
            type="button"
            className="button small push-right"
            onClick={() => actions.onOpenDossier(dossier.id)}
          >
            Voir le dossier
          </button>
        ) : null}
      </header>
      <p className="where">
        <span className="origin">
          <Icon name={originIcon(dossier.origin)} /> {dossier.origin_label}
        </span>
        {dossier.store ? ` · ${dossier.store.name}` : null} · ouvert le{" "}
        {fmt.dateTime(dossier.opened_at)}
      </p>
      <p className="dossier-what">
        {dossier.product_name ?? "Produit non précisé"}
        {dossier.order_number ? (
          <span className="muted"> · commande {dossier.order_number}</span>
        ) : null}
        {dossier.without_purchase_record ? (
          <span className="tag tag-warn">
            <Icon name="alert" /> sans preuve d'achat
          </span>
        ) : null}
      </p>
      <p className="dossier-reason">{dossier.reason_label}</p>
      {dossier.customer_words ? <blockquote>« {dossier.customer_words} »</blockquote> : null}
      {dossier.promised_at && dossier.is_open ? (
        <p className="promised">
          <Icon name="open" /> Promis pour le {fmt.dateTime(dossier.promised_at)}
        </p>
      ) : null}
      {dossier.closed_at ? <p className="muted">Clos le {fmt.dateTime(dossier.closed_at)}</p> : null}
      <ol className="timeline" aria-label={`Historique du dossier ${dossier.number}`}>
        {dossier.events.map((e) => (
          <li key={e.id}>
            <time dateTime={e.at}>{fmt.dateTime(e.at)}</time>
            <span className="actor">{e.actor}</span>
            <span className="summary">{e.summary}</span>
            {e.note ? <span className="note">{e.note}</span> : null}
          </li>
        ))}
      </ol>
    </article>
  );
}
