import { Card, DatePicker, Flex, Segmented, Select, Skeleton, Space, Tabs, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMemo } from 'react';
import { PageContainer } from '@/components/PageContainer';
import { QueryError } from '@/components/QueryError';
import { DrillFilterBar } from '@/features/analytics/DrillFilterBar';
import { useI18n } from '@/i18n';
import { CURRENCIES } from '@/features/opportunity/labels';
import { formatDate } from '../format';
import { oneOf, useUrlFilters } from '../urlFilters';
import { AgingChart, AgingTable } from './AgingTable';
import { CreditHoldsPanel, CreditRulesPanel } from './CreditPanels';
import { type AgingParams, useAging } from './hooks';
import { PaymentsList } from './PaymentsList';
import { ReceivablesList } from './ReceivablesList';

const TABS = ['aging', 'list', 'payments', 'holds', 'rules'] as const;
const GROUPS = ['account', 'subsidiary', 'unit'] as const;

/**
 * 应收: aging by account / subsidiary / unit (buckets as columns and a stacked bar chart,
 * totals per currency and converted), the overdue installments behind a row, credit holds and
 * the credit rules. Everything the page shows is in the URL.
 */
export default function ReceivablesPage() {
  const { t, td } = useI18n();
  const { get, set } = useUrlFilters();
  const tab = oneOf(TABS, get('tab')) ?? 'aging';
  const params: AgingParams = {
    groupBy: oneOf(GROUPS, get('group_by')) ?? 'account',
    asOf: get('as_of'),
    currency: get('currency'),
  };
  const aging = useAging(params);
  const listFilters = {
    accountId: get('account_id'),
    subsidiaryId: get('subsidiary_id'),
    contractId: get('contract_id'),
    overdueOnly: get('overdue_only') !== '0',
    asOf: params.asOf,
    unitId: get('unit_id'),
    overdue: get('overdue') === 'true' ? true : get('overdue') === 'false' ? false : null,
    ownerId: get('owner_id'),
  };
  const paymentFilters = {
    unitId: get('unit_id'),
    status: oneOf(['recorded', 'reversed'] as const, get('status')),
    receivedFrom: get('received_from'),
    receivedTo: get('received_to'),
  };
  const scopeLabel = get('label');
  const holdStatus = oneOf(['active', 'released'] as const, get('hold_status') ?? 'active');

  const currencies = useMemo(() => [...new Set([aging.data?.currency, params.currency, ...CURRENCIES].filter((c): c is string => Boolean(c)))], [aging.data?.currency, params.currency]);

  type Row = NonNullable<typeof aging.data>['rows'][number];
  const drill = (row: Row) => {
    // A customer or subsidiary row opens the installments behind it (the list endpoint has no
    // unit filter, so unit rows do not drill down).
    const groupBy = aging.data?.group_by ?? params.groupBy;
    set({
      tab: 'list',
      account_id: groupBy === 'account' ? row.key : null,
      subsidiary_id: groupBy === 'subsidiary' ? row.key : null,
      contract_id: null,
      overdue_only: null,
      label: row.label ?? null,
    });
  };

  const agingTab = (
    <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="aging-view">
      <Flex gap={12} wrap="wrap" align="center">
        <Segmented
          value={params.groupBy}
          onChange={(v) => set({ group_by: v === 'account' ? null : String(v) })}
          options={GROUPS.map((g) => ({ value: g, label: td(`ltc.aging.groupBy.${g}`, g) }))}
          data-testid="aging-group-by"
        />
        <Space size={4}>
          <Typography.Text type="secondary">{t('ltc.aging.asOf')}</Typography.Text>
          <DatePicker
            value={params.asOf ? dayjs(params.asOf) : null}
            placeholder={aging.data ? formatDate(aging.data.as_of) : t('ltc.aging.today')}
            onChange={(d) => set({ as_of: d ? d.format('YYYY-MM-DD') : null })}
            data-testid="aging-as-of"
          />
        </Space>
        <Space size={4}>
          <Typography.Text type="secondary">{t('ltc.aging.reportCurrency')}</Typography.Text>
          <Select
            value={params.currency ?? aging.data?.currency}
            onChange={(v: string) => set({ currency: v })}
            options={currencies.map((c) => ({ value: c, label: c }))}
            style={{ width: 100 }}
            data-testid="aging-currency"
          />
        </Space>
      </Flex>
      {aging.isError && !aging.data ? (
        <QueryError error={aging.error} onRetry={() => void aging.refetch()} />
      ) : !aging.data ? (
        <Skeleton active paragraph={{ rows: 6 }} />
      ) : (
        <>
          <AgingChart aging={aging.data} onRowClick={params.groupBy === 'unit' ? undefined : drill} />
          <AgingTable aging={aging.data} onRowClick={params.groupBy === 'unit' ? undefined : drill} />
        </>
      )}
    </Space>
  );

  return (
    <PageContainer title={t('ltc.receivable.title')} subtitle={t('ltc.receivable.subtitle')}>
      <Card>
        <Tabs
          activeKey={tab}
          onChange={(k) => set({ tab: k === 'aging' ? null : k })}
          items={[
            { key: 'aging', label: t('ltc.aging.title'), children: agingTab },
            {
              key: 'list',
              label: t('ltc.receivable.list'),
              children: (
                <>
                  <DrillFilterBar resource="receivables" />
                  <ReceivablesList
                    filters={listFilters}
                    scopeLabel={listFilters.accountId || listFilters.subsidiaryId ? scopeLabel : null}
                    onChange={(c) =>
                      set({
                        ...('overdueOnly' in c ? { overdue_only: c.overdueOnly ? null : '0' } : {}),
                        ...('accountId' in c ? { account_id: c.accountId ?? null, label: null } : {}),
                        ...('subsidiaryId' in c ? { subsidiary_id: c.subsidiaryId ?? null } : {}),
                        ...('contractId' in c ? { contract_id: c.contractId ?? null } : {}),
                      })
                    }
                  />
                </>
              ),
            },
            {
              key: 'payments',
              label: t('ltc.receivable.payments'),
              children: <PaymentsList filters={paymentFilters} onChange={set} />,
            },
            {
              key: 'holds',
              label: t('ltc.credit.holds'),
              children: <CreditHoldsPanel status={holdStatus} onStatusChange={(s) => set({ hold_status: s ?? 'all' })} />,
            },
            { key: 'rules', label: t('ltc.credit.rules'), children: <CreditRulesPanel /> },
          ]}
        />
      </Card>
    </PageContainer>
  );
}
