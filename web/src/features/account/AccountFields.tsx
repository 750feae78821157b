import { Col, Form, Input, Row, Select } from 'antd';
import type { ReactNode } from 'react';
import { useI18n } from '@/i18n';
import { TIERS, VALUE_CLASSES } from './labels';

/** Checks the USCC's shape as typed (the server checks its check character). */
export const USCC_PATTERN = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

/** The company fields shared by the create and edit forms. `afterName` goes under the name. */
export function AccountFields({ afterName, prefix = [] }: { afterName?: ReactNode; prefix?: (string | number)[] }) {
  const { t, td } = useI18n();
  const name = (n: string) => [...prefix, n];
  return (
    <Row gutter={16}>
      <Col span={24}>
        <Form.Item
          name={name('name')}
          label={t('account.name')}
          rules={[{ required: true, whitespace: true, message: t('account.nameRequired') }]}
          extra={afterName ? undefined : t('account.nameHint')}
          style={afterName ? { marginBottom: 8 } : undefined}
        >
          <Input maxLength={200} autoComplete="off" data-testid="account-name-input" />
        </Form.Item>
        {afterName}
      </Col>
      <Col xs={24} sm={12}>
        <Form.Item
          name={name('uscc')}
          label={t('account.uscc')}
          normalize={(v: string | undefined) => (v ? v.toUpperCase().replace(/\s+/g, '') : v)}
          rules={[{ pattern: USCC_PATTERN, message: t('account.usccInvalid') }]}
        >
          <Input maxLength={18} autoComplete="off" data-testid="account-uscc-input" />
        </Form.Item>
      </Col>
      <Col xs={24} sm={12}>
        <Form.Item name={name('name_en')} label={t('account.nameEn')}>
          <Input maxLength={200} autoComplete="off" />
        </Form.Item>
      </Col>
      <Col xs={12} sm={6}>
        <Form.Item name={name('tier')} label={t('account.tier')}>
          <Select options={TIERS.map((v) => ({ value: v, label: td(`account.tier.${v}`, v) }))} />
        </Form.Item>
      </Col>
      <Col xs={12} sm={6}>
        <Form.Item name={name('value_class')} label={t('account.valueClass')}>
          <Select options={VALUE_CLASSES.map((v) => ({ value: v, label: td(`account.valueClass.${v}`, v) }))} />
        </Form.Item>
      </Col>
      <Col xs={12} sm={6}>
        <Form.Item name={name('industry')} label={t('account.industry')}>
          <Input maxLength={64} />
        </Form.Item>
      </Col>
      <Col xs={12} sm={6}>
        <Form.Item name={name('region')} label={t('account.region')}>
          <Input maxLength={64} />
        </Form.Item>
      </Col>
    </Row>
  );
}
