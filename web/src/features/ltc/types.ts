/** Names for the lead-to-cash API shapes, taken from the generated schema by path. */
import type { Body, Ok, Query } from '@/api/types';

type ItemOf<T> = T extends ReadonlyArray<infer I> ? I : never;

// --- products, price books, FX rates ---
export type Product = Ok<'/api/v1/products/{product_id}', 'get'>;
export type ProductCreate = Body<'/api/v1/products', 'post'>;
export type ProductUpdate = Body<'/api/v1/products/{product_id}', 'patch'>;
export type PriceBook = Ok<'/api/v1/price-books/{book_id}', 'get'>;
export type PriceBookCreate = Body<'/api/v1/price-books', 'post'>;
export type PriceBookUpdate = Body<'/api/v1/price-books/{book_id}', 'patch'>;
export type PriceBookEntry = ItemOf<Ok<'/api/v1/price-books/{book_id}/entries', 'get'>['items']>;
export type EntryPut = Body<'/api/v1/price-books/{book_id}/entries/{product_id}', 'put'>;
export type FxRate = ItemOf<Ok<'/api/v1/fx-rates', 'get'>['items']>;
export type FxRatePut = Body<'/api/v1/fx-rates', 'put'>;
export type FxRateQuery = Query<'/api/v1/fx-rates', 'get'>;

// --- quotes ---
export type Quote = ItemOf<Ok<'/api/v1/quotes', 'get'>['items']>;
export type QuoteDetail = Ok<'/api/v1/quotes/{quote_id}', 'get'>;
export type QuoteLine = ItemOf<QuoteDetail['lines']>;
export type QuoteApproval = NonNullable<QuoteDetail['approval']>;
export type QuoteQuery = Query<'/api/v1/quotes', 'get'>;
export type QuoteCreate = Body<'/api/v1/quotes', 'post'>;
export type QuoteUpdate = Body<'/api/v1/quotes/{quote_id}', 'patch'>;
export type QuoteLinesPut = Body<'/api/v1/quotes/{quote_id}/lines', 'put'>;
export type QuoteLineIn = ItemOf<QuoteLinesPut['lines']>;

// --- contracts, payment plans, amendments ---
export type Contract = ItemOf<Ok<'/api/v1/contracts', 'get'>['items']>;
export type ContractDetail = Ok<'/api/v1/contracts/{contract_id}', 'get'>;
export type ContractQuery = Query<'/api/v1/contracts', 'get'>;
export type ContractCreate = Body<'/api/v1/contracts', 'post'>;
export type ContractUpdate = Body<'/api/v1/contracts/{contract_id}', 'patch'>;
export type ContractApproval = NonNullable<ContractDetail['approval']>;
export type PaymentPlan = Ok<'/api/v1/contracts/{contract_id}/payment-plan', 'get'>;
export type Installment = ItemOf<PaymentPlan['installments']>;
export type PaymentPlanPut = Body<'/api/v1/contracts/{contract_id}/payment-plan', 'put'>;
export type Amendment = ItemOf<ContractDetail['amendments']>;
export type AmendmentCreate = Body<'/api/v1/contracts/{contract_id}/amendments', 'post'>;

// --- invoices, payments, receivables, credit ---
export type Invoice = ItemOf<Ok<'/api/v1/invoices', 'get'>['items']>;
export type InvoiceCreate = Body<'/api/v1/invoices', 'post'>;
export type Payment = ItemOf<Ok<'/api/v1/payments', 'get'>['items']>;
export type PaymentCreate = Body<'/api/v1/payments', 'post'>;
export type Receivable = ItemOf<Ok<'/api/v1/receivables', 'get'>['items']>;
export type ReceivableQuery = Query<'/api/v1/receivables', 'get'>;
export type Aging = Ok<'/api/v1/receivables/aging', 'get'>;
export type AgingQuery = Query<'/api/v1/receivables/aging', 'get'>;
export type CreditRule = ItemOf<Ok<'/api/v1/credit-rules', 'get'>['items']>;
export type CreditRulePut = Body<'/api/v1/credit-rules/{subsidiary_id}', 'put'>;
export type CreditHold = ItemOf<Ok<'/api/v1/credit-holds', 'get'>['items']>;
