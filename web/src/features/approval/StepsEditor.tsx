import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Col, Flex, Form, Input, InputNumber, Radio, Row, Select, Tooltip, Typography } from 'antd';
import { UserSelect } from '@/features/account/UserSelect';
import { useI18n } from '@/i18n';
import { newStep, RESOLUTION_TYPES, ROLE_LEVELS, STEP_MODES } from './steps';
import type { AuthorityLimitDef } from './types';

interface Props {
  roles: { value: string; label: string }[];
  /** Limits whose covered fact the action supplies (others would be refused). */
  limits: AuthorityLimitDef[];
  disabled?: boolean;
}

function ApproverFields({ stepIndex, index, roles, limits, disabled }: Props & { stepIndex: number; index: number }) {
  const { t, td, locale } = useI18n();
  const en = locale === 'en-US';
  return (
    <Form.Item noStyle shouldUpdate={(a, b) => a.steps?.[stepIndex]?.approvers?.[index]?.type !== b.steps?.[stepIndex]?.approvers?.[index]?.type}>
      {({ getFieldValue }) => {
        const type = getFieldValue(['steps', stepIndex, 'approvers', index, 'type']) as string | undefined;
        if (type === 'user') {
          return (
            <Col xs={24} sm={16}>
              <Form.Item name={[index, 'user_id']} required label={t('approval.step.user')}>
                <UserSelect style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          );
        }
        if (type === 'line_manager') {
          return (
            <Col xs={24} sm={8}>
              <Form.Item name={[index, 'levels']} required label={t('approval.step.levels')}>
                <InputNumber min={1} max={5} precision={0} style={{ width: '100%' }} disabled={disabled} data-testid="step-levels" />
              </Form.Item>
            </Col>
          );
        }
        if (type === 'role') {
          return (
            <>
              <Col xs={24} sm={10}>
                <Form.Item name={[index, 'role']} required label={t('approval.step.role')}>
                  <Select options={roles} showSearch optionFilterProp="label" disabled={disabled} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={6}>
                <Form.Item name={[index, 'at']} required label={t('approval.step.at')}>
                  <Select options={ROLE_LEVELS.map((l) => ({ value: l, label: td(`approval.at.${l}`, l) }))} disabled={disabled} />
                </Form.Item>
              </Col>
            </>
          );
        }
        if (type === 'authority') {
          return (
            <>
              <Col xs={24} md={9}>
                <Form.Item name={[index, 'ladder']} required label={t('approval.step.ladder')}>
                  <Select mode="multiple" options={roles} optionFilterProp="label" disabled={disabled} />
                </Form.Item>
              </Col>
              <Col xs={24} md={7}>
                <Form.Item name={[index, 'limits']} required label={t('approval.step.limits')}>
                  <Select mode="multiple" options={limits.map((l) => ({ value: l.name, label: en ? l.label_en : l.label }))} disabled={disabled} />
                </Form.Item>
              </Col>
            </>
          );
        }
        return null;
      }}
    </Form.Item>
  );
}

/** The approval chain: ordered steps, each with its mode and approver rules (antd Form.List `steps`). */
export function StepsEditor({ roles, limits, disabled = false }: Props) {
  const { t, td } = useI18n();
  return (
    <Form.List name="steps">
      {(steps, { add, remove, move }, { errors }) => (
        <div data-testid="steps-editor">
          {steps.map((step, i) => (
            <Card
              key={step.key}
              size="small"
              className="step-card"
              data-testid="step-card"
              title={t('approval.step.n', { n: i + 1 })}
              extra={
                <Flex gap={2}>
                  <Tooltip title={t('approval.step.moveUp')}>
                    <Button type="text" size="small" icon={<ArrowUpOutlined />} disabled={disabled || i === 0} onClick={() => move(i, i - 1)} aria-label={t('approval.step.moveUp')} />
                  </Tooltip>
                  <Tooltip title={t('approval.step.moveDown')}>
                    <Button
                      type="text"
                      size="small"
                      icon={<ArrowDownOutlined />}
                      disabled={disabled || i === steps.length - 1}
                      onClick={() => move(i, i + 1)}
                      aria-label={t('approval.step.moveDown')}
                    />
                  </Tooltip>
                  <Tooltip title={t('approval.step.remove')}>
                    <Button type="text" size="small" danger icon={<DeleteOutlined />} disabled={disabled} onClick={() => remove(step.name)} aria-label={t('approval.step.remove')} />
                  </Tooltip>
                </Flex>
              }
            >
              <Row gutter={12}>
                <Col xs={24} sm={9}>
                  <Form.Item name={[step.name, 'name']} label={t('approval.step.name')} rules={[{ required: true, whitespace: true, message: t('approval.step.nameRequired') }]}>
                    <Input maxLength={100} disabled={disabled} data-testid="step-name" />
                  </Form.Item>
                </Col>
                <Col xs={24} sm={8}>
                  <Form.Item name={[step.name, 'name_en']} label={t('approval.step.nameEn')}>
                    <Input maxLength={100} disabled={disabled} />
                  </Form.Item>
                </Col>
                <Col xs={24} sm={7}>
                  <Form.Item name={[step.name, 'mode']} label={t('approval.step.mode')} required>
                    <Radio.Group optionType="button" size="small" disabled={disabled} options={STEP_MODES.map((m) => ({ value: m, label: td(`approval.mode.${m}`, m) }))} />
                  </Form.Item>
                </Col>
              </Row>
              <Typography.Text type="secondary">{t('approval.step.approvers')}</Typography.Text>
              <Form.List name={[step.name, 'approvers']}>
                {(approvers, ops, meta) => (
                  <div style={{ marginTop: 6 }}>
                    {approvers.map((a) => (
                      <div key={a.key} className="resolution-row" data-testid="resolution-row">
                        <Row gutter={12} align="bottom">
                          <Col xs={20} sm={6}>
                            <Form.Item name={[a.name, 'type']} label={t('approval.step.type')} required>
                              <Select
                                options={RESOLUTION_TYPES.map((r) => ({ value: r, label: td(`approval.step.type.${r}`, r) }))}
                                disabled={disabled}
                                data-testid="resolution-type"
                              />
                            </Form.Item>
                          </Col>
                          <ApproverFields stepIndex={step.name} index={a.name} roles={roles} limits={limits} disabled={disabled} />
                          <Col flex="none">
                            <Button
                              type="text"
                              danger
                              icon={<DeleteOutlined />}
                              disabled={disabled}
                              onClick={() => ops.remove(a.name)}
                              aria-label={t('common.delete')}
                            />
                          </Col>
                        </Row>
                      </div>
                    ))}
                    <div className="step-list-error">
                      <Form.ErrorList errors={meta.errors} />
                    </div>
                    <Button
                      size="small"
                      type="dashed"
                      icon={<PlusOutlined />}
                      disabled={disabled}
                      onClick={() => ops.add({ type: 'role', role: null, at: 'subsidiary', ladder: [], limits: [] })}
                    >
                      {t('approval.step.addApprover')}
                    </Button>
                  </div>
                )}
              </Form.List>
            </Card>
          ))}
          <div className="step-list-error" data-testid="steps-error">
            <Form.ErrorList errors={errors} />
          </div>
          <Button
            type="dashed"
            icon={<PlusOutlined />}
            style={{ marginTop: 12 }}
            disabled={disabled}
            onClick={() => add(newStep(steps.length, { name: (n) => t('approval.step.defaultName', { n }) }))}
            data-testid="step-add"
          >
            {t('approval.step.add')}
          </Button>
        </div>
      )}
    </Form.List>
  );
}
